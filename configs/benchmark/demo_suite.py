# The cross-task demo suite (CPU, demo data): width search on
# classification, instance segmentation and image translation through the
# normal tools, with the baseline criteria on classification.
#   python tools/benchmark/run_suite.py configs/benchmark/demo_suite.py
#   python tools/analysis/cross_task_report.py work_dirs/suite
# Each task: a trained baseline, then every method x budget: train (search +
# fine-tune, or prune + fine-tune), export, test; MACs / params
# (get_flops.py) and CPU latency (benchmark_latency.py) of baseline and
# compact model.
#   methods: name -> config; 'transfer' entries apply another task's
#            exported width spec (transfer_from: 'task/method@budget') and
#            run once, before the task's other methods.
#   budgets: MACs ratios of the search scope, or 'transfer': the ratio the
#            task's transfer run reached (compare at equal MACs).
#   final: the checkpoint a method's run ends with.
#   metrics: keys of test_metrics.json shown in the report.
#   shape: input (H, W) for MACs and latency.
#   train_options: --cfg-options of the methods' training runs (the
#            baseline's own under baseline=dict(train_options=...)).
# Every method exports in place when its search ends (PaSSearchHook
# export_after_search), so the fine-tune trains the compact network, as the
# PaS schedule intends, and faster than fine-tuning the gated one (the
# configs' default; tests/test_engine/test_pas_pipeline.py covers both).
EXPORT_AFTER_SEARCH = 'custom_hooks.0.export_after_search=True'
CLS = 'configs/classification/resnet/'
tasks = [
    dict(
        name='classification',
        family='resnet18-w16',
        baseline=dict(
            config=f'{CLS}resnet18-w16_1xb64_demo-cls.py',
            final='epoch_12.pth'),
        methods={
            'pas': f'{CLS}pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'uniform':
            f'{CLS}uniform_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'bn-gamma':
            f'{CLS}bn-gamma_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
            'l1': f'{CLS}l1_resnet18-w16_1xb64_demo-cls_flops-0.5x.py'},
        train_options=[EXPORT_AFTER_SEARCH],
        budgets=[0.5],
        final='epoch_9.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32)),
    dict(
        name='classification-r50',
        family='resnet50',
        baseline=dict(
            config='configs/classification/resnet/resnet50_1xb64_demo-cls.py',
            final='epoch_8.pth'),
        methods=dict(
            pas='configs/classification/resnet/pas_resnet50_1xb64_demo-cls_flops-0.5x.py'),
        train_options=[EXPORT_AFTER_SEARCH],
        budgets=[0.5],
        final='epoch_6.pth',
        metrics=['accuracy/top1'],
        shape=(32, 32)),
    dict(
        name='instance_segmentation',
        family='resnet50',
        # 96 of the 240 training images keep the suite under 30 minutes on
        # 2 CPU cores (tools/run_demo.sh mask-rcnn trains on all of them)
        baseline=dict(
            config='configs/instance_segmentation/mask_rcnn/'
            'mask-rcnn_r50_fpn_1xb4_demo-coco.py',
            final='epoch_4.pth',
            train_options=['train_dataloader.dataset.indices=96']),
        methods=dict(
            pas='configs/instance_segmentation/mask_rcnn/'
            'pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py',
            transfer='configs/instance_segmentation/mask_rcnn/'
            'transfer_mask-rcnn_r50_fpn_1xb4_demo-coco.py'),
        transfer_from='classification-r50/pas@0.5',
        # the search epoch has 24 iterations here (60 in tools/run_demo.sh);
        # the gate rule's lr follows the search length by itself
        train_options=['train_dataloader.dataset.indices=96',
                       EXPORT_AFTER_SEARCH],
        # the detection search runs at the MACs the transferred widths reach
        # (the FPN stays whole there), so the two compare at equal MACs; the
        # 50 % detection search is tools/run_demo.sh mask-rcnn
        budgets=['transfer'],
        final='epoch_3.pth',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        shape=(128, 128)),
    dict(
        name='image_translation',
        family='unet',
        baseline=dict(
            config='configs/image_translation/pix2pix/'
            'pix2pix_unet-w32_1xb4_demo-edges2photo.py',
            final='iter_480.pth'),
        methods=dict(
            pas='configs/image_translation/pix2pix/'
            'pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x.py'),
        train_options=[EXPORT_AFTER_SEARCH],
        budgets=[0.25],
        final='iter_480.pth',
        metrics=['PSNR', 'SSIM', 'MAE'],
        shape=(256, 256)),
]
