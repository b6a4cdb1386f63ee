# A transformer in the search space (issue: transformer widths): the proxy
# Swin (configs/classification/swin) searched by PaS at 50 % of its MACs,
# attention heads and FFN widths, against its uniform prune; one baseline,
# the same 4 post-baseline epochs, 3 seeds, tuned on val, reported on test.
# (The first run used the proxy ViT of configs/classification/vit, whose
# baseline did not train: 9.8 % top-1; docs/transformer/vit_first_run/README.md.)
#   python tools/benchmark/run_suite.py configs/benchmark/transformer_suite.py \
#       --work-dir work_dirs/transformer_suite --jobs 2
#   python tools/analysis/benchmark_report.py work_dirs/transformer_suite \
#       --out docs/transformer
SWIN = 'configs/classification/swin/'
R = 'swin-e48-d222-p2-w4_1xb64-4e_proxy-cls_flops-0.5x.py'
tasks = [
    dict(
        name='classification_swin',
        family='swin-e48-d222',
        model='swin-e48-d222-p2-w4',
        baseline=dict(
            config=f'{SWIN}swin-e48-d222-p2-w4_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={'pas': f'{SWIN}pas_{R}', 'uniform': f'{SWIN}uniform_{R}'},
        budgets=[0.5],
        seeds=[0, 1, 2],
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
]
