# pas-mm proxy classification data (the benchmark's): 36 glyph classes,
# 32x32, drawn in matplotlib's fonts over scikit-image photo crops, made by
# tools/data/prepare_proxy.py. Train fonts differ from the val/test fonts.
# The demo's pipelines and loaders, with a test split of its own: tune on
# `val`; report on `test` (test_dataloader below).
_base_ = ['./demo_cls.py']

data_root = 'data/proxy/cls'
data_preprocessor = dict(num_classes=36)

train_dataloader = dict(
    persistent_workers=True, dataset=dict(data_root=data_root))
val_dataloader = dict(batch_size=256, dataset=dict(data_root=data_root))
test_dataloader = dict(
    batch_size=256, dataset=dict(data_root=data_root, data_prefix='test'))
