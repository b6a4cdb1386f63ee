# A transformer in the search space (issue: transformer widths): the proxy
# ViT (configs/classification/vit, DeiT-tiny scaled to 32x32, with 4 heads
# of 24 so that a uniform prune can keep half of them) searched by
# PaS at 50 % of its MACs, whole attention heads and FFN widths, against
# its uniform prune; one baseline, the same 4 post-baseline epochs, 3
# seeds, tuned on val, reported on test. Its baseline trains for 100
# epochs, since a ViT sits at chance for ~15 epochs on this data (the
# first run's 30 epochs reached 9.8 %: docs/artifacts/transformer/vit_first_run/);
# on 2 CPU cores that is ~80 minutes, resumable: a killed suite goes on
# from the last checkpoint. The proxy Swin (configs/classification/swin)
# did not leave chance in 34 epochs (docs/artifacts/transformer/README.md).
#   python tools/benchmark/run_suite.py configs/benchmark/transformer_suite.py \
#       --work-dir work_dirs/transformer_suite --jobs 2
#   python tools/analysis/benchmark_report.py work_dirs/transformer_suite \
#       --out docs/artifacts/transformer
VIT = 'configs/classification/vit/'
R = 'vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py'
tasks = [
    dict(
        name='classification_vit',
        family='vit-e96-d6-h4',
        model='vit-e96-d6-h4-p4',
        baseline=dict(
            config=f'{VIT}vit-e96-d6-h4-p4_1xb64-100e_proxy-cls.py',
            final='epoch_100.pth'),
        # pas-residual: PaS with the embedding width searched as well
        # (prune_residual=True; issue: residual widths), beside pas
        methods={'pas': f'{VIT}pas_{R}',
                 'pas-residual': f'{VIT}pas-residual_{R}',
                 'uniform': f'{VIT}uniform_{R}'},
        budgets=[0.5],
        seeds=[0, 1, 2],
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
]
