# Benchmark v2 (docs/benchmark.md, protocol v2): the proxy tasks at the
# original PaS recipe's proportions. It trained about half of its
# baseline's epochs after it (9 search + 38 fine-tune after 90), so every
# method here gets 15 post-baseline epochs after the 30-epoch baseline
# (PaS: 3 search + 12 fine-tune; a criterion: prune once + 15). Rows:
# PaS and PaS+KD; uniform, BN-gamma, L1, random; Torch-Pruning's own
# criteria (tp-magnitude, tp-taylor, tp-lamp); 'baseline+', the unpruned
# net trained on for the same 15 epochs (the ceiling); and the widths-only
# table ('scratch-<method>': that method's widths at 25 % from random init
# for the baseline's 30 epochs).
# Run in parts (resumable; commit each part's report):
#   python tools/benchmark/run_suite.py configs/benchmark/proxy_suite_v2.py \
#       --work-dir work_dirs/proxy_v2 --jobs 2 \
#       --only 'classification/[!s]*@0.25-seed*' 'classification/baseline+*'
#   python tools/analysis/benchmark_report.py work_dirs/proxy_v2 \
#       --out docs/benchmark --carry-over docs/benchmark
# The other tasks (RepVGG-mini, Mask R-CNN, Pix2Pix) join this file with
# their v2 configs; their schedules are fixed in docs/benchmark.md.
CLS = 'configs/classification/resnet/'
R18 = 'resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py'
CRITERIA = ('uniform', 'bn-gamma', 'l1', 'random', 'tp-magnitude',
            'tp-taylor', 'tp-lamp')
SCRATCH = f'{CLS}scratch_resnet18-w16_1xb64-30e_proxy-cls.py'
# the widths-only table: pas, uniform, random and L1; the best tp
# criterion (by mean val top-1 at 25 %) joins once the classification
# runs have chosen it (protocol v2)
WIDTHS_ONLY = ('pas', 'uniform', 'random', 'l1')
tasks = [
    dict(
        name='classification',
        family='resnet18-w16',
        model='resnet18-w16',
        baseline=dict(
            config=f'{CLS}resnet18-w16_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={
            'pas': f'{CLS}pas_{R18}',
            'pas+kd': f'{CLS}pas-kd_{R18}',
            **{c: f'{CLS}{c}_{R18}' for c in CRITERIA},
            'baseline+': dict(
                config=f'{CLS}uniform_resnet18-w16_1xb64-15e_proxy-cls_'
                'flops-1.0x.py', budgets=[1.0]),
            **{f'scratch-{m}': dict(config=SCRATCH, widths_from=m,
                                    pretrained=False, budgets=[0.25],
                                    final='epoch_30.pth')
               for m in WIDTHS_ONLY},
        },
        budgets=[0.5, 0.25],
        seeds=[0, 1, 2],
        # every method but the scratch-* ones trains this many epochs
        # after the baseline (run_suite.py checks it)
        post_baseline_epochs=15,
        val_split=True,
        final='epoch_15.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
]
