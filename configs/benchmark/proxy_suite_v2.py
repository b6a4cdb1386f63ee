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
#       --out docs/artifacts/benchmark --carry-over docs/artifacts/benchmark
# The best tp criterion (by mean val top-1 on ResNet-18-w16 at 25 %,
# chosen after part 1a: tp-taylor) joins the widths-only table,
# RepVGG-mini and Mask R-CNN (protocol v2).
# v2's PaS rows ran with the marginal cost attribution, the default then
# (the own-layer charge is the default since protocol C of
# docs/search_evidence.md); the rows name it so that v2 stays v2
MARGINAL = ['model.budget.attribution=marginal']
CLS = 'configs/classification/resnet/'
R18 = 'resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py'
CRITERIA = ('uniform', 'bn-gamma', 'l1', 'random', 'tp-magnitude',
            'tp-taylor', 'tp-lamp')
SCRATCH = f'{CLS}scratch_resnet18-w16_1xb64-30e_proxy-cls.py'
# the widths-only table: pas, uniform, random, L1 and the best tp
# criterion by mean val top-1 at 25 %: tp-taylor (83.22, against
# tp-magnitude's 83.17 and tp-lamp's 79.58; part 1a, protocol v2)
BEST_TP = 'tp-taylor'
WIDTHS_ONLY = ('pas', 'uniform', 'random', 'l1', BEST_TP)
VGG = 'configs/classification/repvgg/'
MINI = 'repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py'
DET = 'configs/instance_segmentation/mask_rcnn/'
R18_DET = 'mask-rcnn_r18-w16_fpn_1xb8-12e_proxy-coco_flops-0.5x.py'
P2P = 'configs/image_translation/pix2pix/'
UNET = 'pix2pix_unet-w32_1xb4-750iters_proxy-outline2glyph_flops-0.25x.py'
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
            'pas+kd': dict(config=f'{CLS}pas-kd_{R18}', options=MARGINAL),
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
    dict(
        name='classification_repvgg',
        family='repvgg-mini',
        model='repvgg-mini',
        baseline=dict(
            config=f'{VGG}repvgg-mini_1xb64-30e_proxy-cls.py',
            final='epoch_30.pth'),
        methods={
            'pas': dict(config=f'{VGG}pas_{MINI}', options=MARGINAL),
            **{m: f'{VGG}{m}_{MINI}'
               for m in ('uniform', 'l1', 'random', BEST_TP)},
            'baseline+': dict(
                config=f'{VGG}uniform_repvgg-mini_1xb64-15e_proxy-cls_'
                'flops-1.0x.py', budgets=[1.0]),
        },
        budgets=[0.25],
        seeds=[0, 1, 2],
        post_baseline_epochs=15,
        val_split=True,
        final='epoch_15.pth',
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
            'pas': dict(config=f'{DET}pas_{R18_DET}', options=MARGINAL),
            'uniform': f'{DET}uniform_{R18_DET}',
            'l1': f'{DET}l1_{R18_DET}',
            BEST_TP: f'{DET}{BEST_TP}_{R18_DET}',
            # the classification search's widths, run by run (the same
            # budget and seed), scaled with the FPN to the detector's 50 %
            'transfer': dict(config=f'{DET}transfer_{R18_DET}',
                             widths_from='classification/pas'),
            'baseline+': dict(
                config=f'{DET}uniform_mask-rcnn_r18-w16_fpn_1xb8-12e_'
                'proxy-coco_flops-1.0x.py', budgets=[1.0]),
        },
        budgets=[0.5],
        seeds=[0, 1, 2],
        post_baseline_epochs=12,
        val_split=True,
        final='epoch_12.pth',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        shape=(128, 128),
        # backbone + FPN (and, secondary, the whole test step with fixed
        # head work) on real val images
        interleaved_latency=dict(batch_sizes=[1, 8], iters=20, warmup=5)),
    dict(
        name='image_translation',
        family='unet',
        model='pix2pix-unet-w32',
        baseline=dict(
            config=f'{P2P}pix2pix_unet-w32_1xb4-1500iters_proxy-'
            'outline2glyph.py',
            final='iter_1500.pth'),
        methods={
            'pas': dict(config=f'{P2P}pas_{UNET}', options=MARGINAL),
            'uniform': f'{P2P}uniform_{UNET}',
            'l1': f'{P2P}l1_{UNET}',
            'baseline+': dict(
                config=f'{P2P}uniform_pix2pix_unet-w32_1xb4-750iters_'
                'proxy-outline2glyph_flops-1.0x.py', budgets=[1.0]),
        },
        budgets=[0.25],
        seeds=[0, 1, 2],
        post_baseline_iters=750,
        val_split=True,
        final='iter_750.pth',
        metrics=['PSNR', 'SSIM', 'MAE'],
        shape=(128, 128),
        interleaved_latency=dict(batch_sizes=[1, 32], iters=20, warmup=5)),
]
