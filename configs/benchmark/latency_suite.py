# Latency budget against MACs budget (issue: a measured-latency budget): on
# the proxy classification task, PaS searched against a latency table
# (batch 32 and batch 1) and PaS searched against MACs, all from one
# converged baseline with the same 4 post-baseline epochs, 3 seeds. They
# are compared at equal *measured* latency: benchmark_report.py reads each
# seed's MACs-budget runs (0.5 / 0.25 / 0.1 of the MACs) as a latency vs
# top-1 curve at the latency each latency-budget run reached.
#   python tools/benchmark/run_suite.py configs/benchmark/latency_suite.py \
#       --work-dir work_dirs/latency_suite --jobs 2
#   python tools/analysis/benchmark_report.py work_dirs/latency_suite \
#       --out docs/artifacts/latency/benchmark
# The tables are built (alone, before the runs) on the machine that runs
# the suite, and the timing step measures every exported network there.
_base_ = ['./proxy_suite.py']
_cls = _base_.tasks[0]
CLS = 'configs/classification/resnet/'
LATENCY = f'{CLS}pas_resnet18-w16_1xb64-4e_proxy-cls_latency-0.5x.py'
MV2 = 'configs/classification/mobilenet_v2/'
MV2_R = 'mobilenet-v2_1xb64-4e_proxy-cls'
MV2_LATENCY = f'{MV2}pas_{MV2_R}_latency-0.5x.py'
tasks = [
    dict(
        name='classification_latency',
        family='resnet18-w16',
        model='resnet18-w16',
        baseline=_cls.baseline,
        latency_tables=dict(b1=dict(config=LATENCY, batch=1),
                            b32=dict(config=LATENCY, batch=32)),
        methods={
            'pas': _cls.methods['pas'],
            # latency targets spanning what the MACs runs reach (measured
            # on the benchmark's runs: 0.77 / 0.66 / 0.59 of the full
            # latency at batch 1, 0.68 / 0.48 / 0.37 at batch 32)
            'pas-latency-b32': dict(config=LATENCY, latency_table='b32',
                                    budgets=[0.65, 0.5, 0.4]),
            'pas-latency-b1': dict(config=LATENCY, latency_table='b1',
                                   budgets=[0.75, 0.67, 0.6]),
        },
        budgets=[0.5, 0.25, 0.1],
        seeds=[0, 1, 2],
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
    # the same comparison on MobileNetV2 (depth-wise, at 64x64). Its b32
    # targets were a first guess. Its b1 table cannot go below 0.797 of
    # the full latency (min_ratio 0.1 in every group), so its b1 targets
    # span what the pas runs reach by that table: 0.91 / 0.86 / 0.82 at
    # 0.5 / 0.25 / 0.1 of the MACs (the first guess, 0.75 / 0.67 / 0.6,
    # is below that floor and is refused)
    dict(
        _cls,
        name='classification_latency_mobilenet-v2',
        family='mobilenet-v2',
        model='mobilenet-v2',
        baseline=dict(config=f'{MV2}mobilenet-v2_1xb64-30e_proxy-cls.py',
                      final='epoch_30.pth'),
        latency_tables=dict(b1=dict(config=MV2_LATENCY, batch=1),
                            b32=dict(config=MV2_LATENCY, batch=32)),
        methods={
            'pas': f'{MV2}pas_{MV2_R}_flops-0.5x.py',
            'pas-latency-b32': dict(config=MV2_LATENCY, latency_table='b32',
                                    budgets=[0.65, 0.5, 0.4]),
            'pas-latency-b1': dict(config=MV2_LATENCY, latency_table='b1',
                                   budgets=[0.9, 0.86, 0.82]),
        },
        budgets=[0.5, 0.25, 0.1],
        seeds=[0, 1, 2],
        shape=(64, 64)),
]
