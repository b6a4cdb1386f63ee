# The proxy benchmark (docs/benchmark.md): can the suite tell width-search
# methods apart? Harder data (tools/data/prepare_proxy.py), one converged
# baseline per task that every method starts from, the same post-baseline
# epochs for every method (PaS: search + fine-tune; criteria: prune +
# fine-tune), equal MACs, 3 seeds; tuned on val, reported on test.
# On 2 cores add --jobs 2 (two runs at a time, one thread each).
#   python tools/benchmark/run_suite.py configs/benchmark/proxy_suite.py \
#       --work-dir work_dirs/proxy
#   python tools/analysis/benchmark_report.py work_dirs/proxy \
#       --out docs/artifacts/benchmark/v1
# Every finished step leaves a marker: an interrupted run resumes.
# Task keys beyond the demo suite's: seeds; post_baseline_epochs (checked
# against every method config; post_baseline_iters for iteration-based
# schedules); val_split (each run is also evaluated on
# val: tune there, report test); interleaved_latency (all of the task's
# models timed in one process); test_options (--cfg-options of the
# evaluation steps); a method may be dict(config, budgets, widths_from,
# pretrained, final) (see pas_mm.benchmark.suite.method_spec).
CLS = 'configs/classification/resnet/'
R18 = 'resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py'
VGG = 'configs/classification/repvgg/'
MINI = 'repvgg-mini_1xb64-4e_proxy-cls_flops-0.25x.py'
DET = 'configs/instance_segmentation/mask_rcnn/'
R18_DET = 'mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py'
P2P = 'configs/image_translation/pix2pix/'
UNET = 'pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-0.25x.py'
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
            'uniform': f'{CLS}uniform_{R18}',
            'bn-gamma': f'{CLS}bn-gamma_{R18}',
            'l1': f'{CLS}l1_{R18}',
            'random': f'{CLS}random_{R18}',
            'pas+kd': f'{CLS}pas-kd_{R18}',
            'scratch': dict(
                config=f'{CLS}scratch_resnet18-w16_1xb64-34e_proxy-cls.py',
                widths_from='pas', pretrained=False, budgets=[0.25],
                final='epoch_34.pth'),
        },
        budgets=[0.5, 0.25, 0.1],
        seeds=[0, 1, 2],
        # every method but 'scratch' trains this many epochs after the
        # baseline (run_suite.py checks it)
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
    dict(
        name='classification_repvgg',
        family='repvgg-mini',
        model='repvgg-mini',
        baseline=dict(
            config=f'{VGG}repvgg-mini_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={m: f'{VGG}{m}_{MINI}'
                 for m in ('pas', 'uniform', 'l1', 'random')},
        budgets=[0.25],
        seeds=[0, 1, 2],
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
    dict(
        name='instance_segmentation',
        family='resnet18-w16',
        model='mask-rcnn-r18-w16',
        baseline=dict(
            config=f'{DET}mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco.py',
            final='epoch_24.pth'),
        methods={
            'pas': f'{DET}pas_{R18_DET}',
            'uniform': f'{DET}uniform_{R18_DET}',
            'l1': f'{DET}l1_{R18_DET}',
            # the classification search's widths, run by run (the same
            # budget and seed), scaled with the FPN to the detector's 50 %
            'transfer': dict(config=f'{DET}transfer_{R18_DET}',
                             widths_from='classification/pas'),
            'pas+kd': f'{DET}pas-kd_{R18_DET}',
        },
        budgets=[0.5],
        seeds=[0, 1, 2],
        post_baseline_epochs=4,
        val_split=True,
        final='epoch_4.pth',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        shape=(128, 128),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
    dict(
        name='image_translation',
        family='unet',
        model='pix2pix-unet-w32',
        baseline=dict(
            config=f'{P2P}pix2pix_unet-w32_1xb4-1500iters_proxy-'
            'outline2glyph.py',
            final='iter_1500.pth'),
        methods={
            'pas': f'{P2P}pas_{UNET}',
            'uniform': f'{P2P}uniform_{UNET}',
            'l1': f'{P2P}l1_{UNET}',
            'pas+kd': f'{P2P}pas-kd_{UNET}',
        },
        budgets=[0.25],
        seeds=[0, 1, 2],
        post_baseline_iters=400,
        val_split=True,
        final='iter_400.pth',
        metrics=['PSNR', 'SSIM', 'MAE'],
        shape=(128, 128),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
]
