# The cross-task suite on the real datasets, for a GPU cluster: the same
# tasks as the demo suite, from the toolkits' published trained models.
#   python tools/benchmark/run_suite.py configs/benchmark/real_suite.py \
#       --work-dir work_dirs/real_suite --emit dist --gpus 8   # or --emit slurm
# prints the commands (train / export / test / get_flops / latency) in
# order; run them, then
#   python tools/analysis/cross_task_report.py work_dirs/real_suite
# Baselines are the published checkpoints (tested, not retrained). Methods
# use their configs' own `pretrained` unless the suite sets it (it does:
# the baseline checkpoint below). Data under data/imagenet, data/coco,
# data/pix2pix/{facades,edges2shoes}, data/cyclegan/horse2zebra.
MMPRE = 'https://download.openmmlab.com/mmclassification/v0/'
MMDET = 'https://download.openmmlab.com/mmdetection/v2.0/'
MMEDIT = 'https://download.openmmlab.com/mmediting/'
tasks = [
    dict(
        name='imagenet-resnet50',
        family='resnet50',
        baseline=dict(
            config='mmpretrain::resnet/resnet50_8xb32_in1k.py',
            checkpoint=MMPRE + 'resnet/resnet50_8xb32_in1k_20210831-ea4938fc'
            '.pth',
            final=None),
        methods=dict(pas='configs/classification/resnet/'
                     'pas_resnet50_8xb64_in1k_flops-2.0G.py'),
        budgets=[0.4866],  # 2.0 of 4.11 GMACs
        final='epoch_47.pth',
        metrics=['accuracy/top1', 'accuracy/top5'],
        shape=(224, 224)),
    dict(
        name='coco-mask-rcnn',
        family='resnet50',
        baseline=dict(
            config='mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
            checkpoint=MMDET + 'mask_rcnn/mask_rcnn_r50_fpn_1x_coco/'
            'mask_rcnn_r50_fpn_1x_coco_20200205-d4b0c5d6.pth',
            final=None),
        methods=dict(
            pas='configs/instance_segmentation/mask_rcnn/'
            'pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py',
            transfer='configs/instance_segmentation/mask_rcnn/'
            'transfer_mask-rcnn_r50_fpn_8xb2-1x_coco.py'),
        transfer_from='imagenet-resnet50/pas@0.4866',
        # 'transfer': a second detection search at the MACs ratio the
        # transferred widths reach (equal-MACs comparison)
        budgets=[0.5, 'transfer'],
        final='epoch_12.pth',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        shape=(800, 1344)),
    dict(
        name='facades-pix2pix',
        family='unet',
        baseline=dict(
            config='mmagic::pix2pix/'
            'pix2pix_vanilla-unet-bn_1xb1-80kiters_facades.py',
            checkpoint=MMEDIT + 'pix2pix/refactor/pix2pix_vanilla_unet_bn_'
            '1x1_80k_facades_20210902_170442-c0958d50.pth',
            final=None),
        methods=dict(pas='configs/image_translation/pix2pix/'
                     'pas_pix2pix_vanilla-unet-bn_1xb4-80kiters_facades'
                     '_flops-0.25x.py'),
        budgets=[0.25, 0.1],
        final='iter_80000.pth',
        metrics=['FID-Full/fid', 'IS-Full/is'],
        shape=(256, 256)),
    dict(
        name='horse2zebra-cyclegan',
        family='resnet-generator',
        baseline=dict(
            config='mmagic::cyclegan/'
            'cyclegan_lsgan-resnet-in_1xb1-270kiters_horse2zebra.py',
            checkpoint=MMEDIT + 'cyclegan/refactor/cyclegan_lsgan_resnet_in_'
            '1x1_266800_horse2zebra_convert-bgr_20210902_170004-a32c733a.pth',
            final=None),
        methods=dict(pas='configs/image_translation/cyclegan/'
                     'pas_cyclegan_lsgan-resnet-in_1xb4-270kiters_horse2zebra'
                     '_flops-0.25x.py'),
        budgets=[0.25, 0.1],
        final='iter_120000.pth',
        metrics=['FID-horse-to-zebra/fid', 'FID-zebra-to-horse/fid'],
        shape=(256, 256)),
]
