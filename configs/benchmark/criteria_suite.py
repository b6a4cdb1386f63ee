# PaS vs. the baseline pruning criteria (uniform, BN-gamma, L1) on the
# classification demo, 3 seeds per method and budget, all from one trained
# baseline (the comparison tools/analysis/compare_pruning.py ran before it
# was folded into the suite runner):
#   python tools/benchmark/run_suite.py configs/benchmark/criteria_suite.py \
#       --work-dir work_dirs/criteria
#   python tools/analysis/cross_task_report.py work_dirs/criteria
# Every finished step leaves a marker, so an interrupted run resumes.
CLS = 'configs/classification/resnet/'
tasks = [
    dict(
        name='classification',
        family='resnet18-w16',
        baseline=dict(config=f'{CLS}resnet18-w16_1xb64_demo-cls.py',
                      final='epoch_12.pth'),
        methods={
            'pas': f'{CLS}pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'uniform':
            f'{CLS}uniform_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'bn-gamma':
            f'{CLS}bn-gamma_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'l1': f'{CLS}l1_resnet18-w16_1xb64_demo-cls_flops-0.5x.py'},
        train_options=['custom_hooks.0.export_after_search=True'],
        budgets=[0.5, 0.25],
        seeds=[0, 1, 2],
        final='epoch_9.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32)),
]
