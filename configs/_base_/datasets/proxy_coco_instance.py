# pas-mm proxy instance segmentation data (the benchmark's): 8 glyph
# categories as instances on photos, 128x128, with clutter and occlusion,
# made by tools/data/prepare_proxy.py (COCO json, polygon masks). Val and
# test fonts are never seen in training. Tune on `val`, report on `test`.
dataset_type = 'CocoDataset'
data_root = 'data/proxy/coco/'
metainfo = dict(classes=tuple(f'glyph_{g}' for g in 'ABEGKMRS'))
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.0),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]


def _split(name, pipeline, **kwargs):
    return dict(
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file=f'annotations/instances_{name}.json',
        data_prefix=dict(img=f'{name}/'), pipeline=pipeline,
        backend_args=backend_args, **kwargs)


train_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=_split('train', train_pipeline,
                   filter_cfg=dict(filter_empty_gt=True, min_size=4)))
val_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('val', test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('test', test_pipeline, test_mode=True))
val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'annotations/instances_val.json',
    metric=['bbox', 'segm'], format_only=False, backend_args=backend_args)
test_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'annotations/instances_test.json',
    metric=['bbox', 'segm'], format_only=False, backend_args=backend_args)
