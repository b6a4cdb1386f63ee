# Protocols B and C of docs/search_evidence.md, measure (a): the candidate
# search rules against PaS's current default, the original rule and the
# best criteria, on benchmark v2's pipeline (15 post-baseline epochs for every
# method: PaS 3 search + 12 fine-tune, a criterion prune once + 15), equal
# MACs, 3 seeds, val only (test_split=False: test is not evaluated).
#   python tools/benchmark/run_suite.py configs/benchmark/search_rule_suite.py \
#       --work-dir work_dirs/search_rules --jobs 2
#   python tools/analysis/benchmark_report.py work_dirs/search_rules \
#       --out docs/artifacts/search_evidence/rules
# 'pas' is the rule the protocols compared against: v2's default, the
# marginal cost attribution. Protocol C's reading made 'own-layer' the
# default, so that row now names its attribution; 'pas-own-layer' is the
# default's row. Measure (c) adds 'pas-widths' (ResNet-18-w16 at 25 %):
#   python tools/benchmark/run_suite.py configs/benchmark/search_rule_suite.py \
#       --work-dir work_dirs/search_rules --jobs 2 \
#       --only 'classification/pas-widths*'
# Protocol D adds 'pas-fisher-flat' and runs it on benchmark v3's
# baselines (copied in with their markers), against v3's rows on val:
#   python tools/benchmark/run_suite.py configs/benchmark/search_rule_suite.py \
#       --work-dir work_dirs/search_rules_d --jobs 2 \
#       --only 'classification/pas-fisher-flat*' \
#       'classification_repvgg/pas-fisher-flat*'
MARGINAL = ['model.budget.attribution=marginal']
CLS = 'configs/classification/resnet/'
R18 = 'resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py'
VGG = 'configs/classification/repvgg/'
MINI = 'repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py'
CANDIDATES = ('pas-evidence', 'pas-evidence-mac', 'pas-own-layer',
              # protocol C
              'pas-evidence-rms', 'pas-evidence-rms-mac',
              # protocol D
              'pas-fisher-flat')
CRITERIA = ('bn-gamma', 'tp-taylor', 'tp-magnitude', 'uniform', 'random')
tasks = [
    dict(
        name='classification',
        family='resnet18-w16',
        model='resnet18-w16',
        baseline=dict(
            config=f'{CLS}resnet18-w16_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={
            'pas': dict(config=f'{CLS}pas_{R18}', options=MARGINAL),
            **{c: f'{CLS}{c}_{R18}' for c in CANDIDATES},
            'pas-original': f'{CLS}pas-original_resnet18-w16_1xb64-15e_'
            'proxy-cls_flops-0.25x.py',
            **{c: f'{CLS}{c}_{R18}' for c in CRITERIA},
            # measure (c): the default's widths and channels on the
            # criteria's pipeline (cut from the baseline once, 15 epochs)
            'pas-widths': dict(
                config=f'{CLS}transfer_resnet18-w16_1xb64-15e_proxy-cls.py',
                widths_from='pas-own-layer', budgets=[0.25]),
        },
        budgets=[0.25, 0.5],
        seeds=[0, 1, 2],
        post_baseline_epochs=15,
        val_split=True,
        test_split=False,
        final='epoch_15.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32)),
    dict(
        name='classification_repvgg',
        family='repvgg-mini',
        model='repvgg-mini',
        baseline=dict(
            config=f'{VGG}repvgg-mini_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={
            'pas': dict(config=f'{VGG}pas_{MINI}', options=MARGINAL),
            **{c: f'{VGG}{c}_{MINI}' for c in CANDIDATES},
            'pas-original': f'{VGG}pas-original_{MINI}',
            **{c: f'{VGG}{c}_{MINI}' for c in CRITERIA},
        },
        budgets=[0.25],
        seeds=[0, 1, 2],
        post_baseline_epochs=15,
        val_split=True,
        test_split=False,
        final='epoch_15.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32)),
]
