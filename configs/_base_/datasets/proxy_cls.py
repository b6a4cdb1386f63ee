# pas-mm proxy classification data (the benchmark's): 36 glyph classes,
# 32x32, drawn in matplotlib's fonts over scikit-image photo crops, made by
# tools/data/prepare_proxy.py. Train fonts differ from the val/test fonts.
# Tune on `val`; report on `test` (test_dataloader below).
dataset_type = 'CustomDataset'
data_root = 'data/proxy/cls'
data_preprocessor = dict(
    num_classes=36, mean=[127.5] * 3, std=[127.5] * 3, to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, data_prefix='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=256,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type, data_root=data_root, data_prefix='val',
        pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=256,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type, data_root=data_root, data_prefix='test',
        pipeline=test_pipeline))
test_evaluator = val_evaluator
