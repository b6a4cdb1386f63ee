"""Width adapters of mmpretrain's and mmdet's backbones (see
``pas_mm.core.compact.width_adapters``): the numbers their ``forward`` reads,
matched to the sliced layers after export. Registered by qualified class
name, so importing this module imports no toolkit.
"""
from pas_mm.core.compact.width_adapters import register_width_adapter

SWIN_BACKBONES = ('mmpretrain.models.backbones.swin_transformer.'
                  'SwinTransformer', 'mmdet.models.backbones.swin.'
                  'SwinTransformer')


def _swin_num_features(module) -> None:
    """Swin views each output as ``(-1, H, W, num_features[i])``; with
    ``prune_residual`` the last stage's width is searched."""
    for i in module.out_indices:
        norm = getattr(module, f'norm{i}', None)
        shape = getattr(norm, 'normalized_shape', None)
        if shape:
            module.num_features[i] = int(shape[0])


for _name in SWIN_BACKBONES:
    register_width_adapter(_name, _swin_num_features)
