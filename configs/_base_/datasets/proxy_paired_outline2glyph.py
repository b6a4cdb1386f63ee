# pas-mm proxy paired image translation data (the benchmark's): glyph
# outlines | the same glyphs filled with a per-letter colour and stripe
# direction, 128x128, side by side (A|B), made by
# tools/data/prepare_proxy.py. The generator has to recognise each letter
# to paint it. Val and test use fonts training never sees: tune on `val`,
# report on `test`. Read by mmagic's PairedImageDataset.
dataset_type = 'PairedImageDataset'
data_root = 'data/proxy/paired'
domain_a = 'outline'  # source
domain_b = 'glyph'  # target

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

# no flip: a stripe direction is part of what the generator must get right
train_pipeline = [load_pair, key_mapping, pack_input]
test_pipeline = [load_pair, key_mapping, pack_input]


def _eval_split(name):
    return dict(type=dataset_type, data_root=data_root, test_mode=True,
                test_dir=name, pipeline=test_pipeline)


train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_eval_split('val'))
test_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_eval_split('test'))

pixel_metrics = [
    dict(type='PSNR', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
    dict(type='SSIM', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
    dict(type='MAE', gt_key=f'img_{domain_b}', pred_key=f'fake_{domain_b}'),
]
