# pas-mm demo paired image translation data: Canny edges | photo crops of
# 128x128 from scikit-image's photographs, side by side (A|B), made by
# tools/data/prepare_demo.py. Read by mmagic's PairedImageDataset.
dataset_type = 'PairedImageDataset'
data_root = 'data/demo/paired'
domain_a = 'edges'  # source
domain_b = 'photo'  # target

key_mapping = dict(
    type='KeyMapper',
    mapping={
        f'img_{domain_a}': 'img_A',
        f'img_{domain_b}': 'img_B'
    },
    remapping={
        f'img_{domain_a}': f'img_{domain_a}',
        f'img_{domain_b}': f'img_{domain_b}'
    })
pack_input = dict(
    type='PackInputs',
    keys=[f'img_{domain_a}', f'img_{domain_b}'],
    data_keys=[f'img_{domain_a}', f'img_{domain_b}'])
load_pair = dict(
    type='LoadPairedImageFromFile',
    key='pair',
    domain_a='A',
    domain_b='B',
    color_type='color')

train_pipeline = [
    load_pair,
    dict(type='Flip', keys=['img_A', 'img_B'], direction='horizontal'),
    key_mapping,
    pack_input,
]
test_pipeline = [load_pair, key_mapping, pack_input]

train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        test_mode=True,
        test_dir='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# FID/IS need Inception weights, which cannot be downloaded here: the demo
# scores pixel metrics against the ground-truth photo (the task configs set
# val_evaluator/test_evaluator from this list).
pixel_metrics = [
    dict(type='PSNR', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
    dict(type='SSIM', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
    dict(type='MAE', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
]
