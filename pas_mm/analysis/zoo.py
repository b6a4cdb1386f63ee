"""Zoo-wide exactness: pas-mm's search space and export on every
torchvision classification model under 100 M parameters and on timm
models of every family, and Torch-Pruning's outcome on the same models.

For each model (random init, nothing downloaded, a small input): build
the search space over the whole model, switch about half of every
group's channels off at random, export, and compare

- the compact model's output with the gated model's (relative max
  difference, exact at <= 1e-4), and
- the space's full MACs with mmengine.analysis' count (scaled dot-product
  attention counted by ``pas_mm.compat.flop_handles``; equal within 1 %),
  and its MACs at the pruned widths with mmengine.analysis' count of the
  exported model (equal within 1 %).

A model the tracer cannot handle must be refused with one clear
``PaSError`` line; anything else (a crash, a wrong output, a miscount) is
a failure. ``tp_outcome`` runs Torch-Pruning 1.6.1 out of the box on the
same model (random importance, 50 %, the classifier ignored) for the
comparison in ``docs/zoo.md``.
"""
import re
import signal
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
from torch import nn

from pas_mm.core import PaSError, build_search_space, export
from pas_mm.core.compact.export import max_rel_diff
from pas_mm.core.export_probe import prune_half_at_random

EXACT = 1e-4
MACS_TOLERANCE = 0.01
# a CNN whose layers are all searchable reaches a few per cent of its MACs
REACH_LIMIT = 0.25
MAX_PARAMS = 100e6
NUM_CLASSES = 10


@dataclass
class ZooModel:
    """One model of the zoo.

    Args:
        name (str): the library's model name.
        source (str): ``'torchvision'`` or ``'timm'``.
        family (str): what kind of network it is (for the table).
        size (int): the side of the square test input.
        kwargs (dict): extra builder arguments (input size, ...).
    """
    name: str
    source: str
    family: str
    size: int = 64
    kwargs: Dict = field(default_factory=dict)

    def build(self) -> nn.Module:
        torch.manual_seed(0)
        if self.source == 'timm':
            import timm
            return timm.create_model(self.name, pretrained=False,
                                     num_classes=NUM_CLASSES, **self.kwargs)
        from torchvision.models import get_model
        return get_model(self.name, weights=None, num_classes=NUM_CLASSES,
                         **self.kwargs)


@dataclass
class ZooResult:
    """What happened to one model."""
    model: ZooModel
    status: str  # exact | refused | failed
    message: str = ''
    params_m: float = 0.0
    groups: int = 0
    rel_diff: Optional[float] = None
    macs_ratio: Optional[float] = None  # ours / mmengine.analysis'
    # the space's MACs at the pruned widths / mmengine's count of the export
    pruned_macs_ratio: Optional[float] = None
    reach: Optional[float] = None  # smallest MACs ratio the gates reach
    held_by: str = ''  # what holds most of the rest at the reach
    seconds: float = 0.0


def _randomise_norms(model: nn.Module) -> None:
    """Non-trivial statistics, so that a wrong slice shows."""
    gen = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and \
                m.running_mean is not None:
            m.running_mean.copy_(torch.rand(m.running_mean.shape,
                                            generator=gen) - 0.5)
            m.running_var.copy_(torch.rand(m.running_var.shape,
                                           generator=gen) + 0.5)


def mmengine_macs(model: nn.Module, x: torch.Tensor) -> float:
    """Per-sample MACs by mmengine.analysis, attention products counted."""
    from pas_mm.compat.flop_handles import flop_analyzer
    return float(flop_analyzer(model, (x, )).total()) / x.shape[0]


def check_model(entry: ZooModel, seed: int = 0) -> ZooResult:
    """Trace, prune at random, export and compare one model."""
    start = time.perf_counter()
    model = entry.build().eval()
    _randomise_norms(model)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    x = torch.randn(2, 3, entry.size, entry.size)
    result = ZooResult(entry, 'failed', params_m=params)
    try:
        # with gradients on: under no_grad nn.MultiheadAttention takes its
        # fused fast path, which mmengine.analysis does not count
        reference = mmengine_macs(model, x[:1])
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            space = build_search_space(model, (x[:1], ))
        result.groups = len(space.gates)
        result.macs_ratio = float(space.full_macs) / reference
        reach = space.reach()
        result.reach = reach.ratio
        result.held_by = reach.held[0][0] if reach.held else ''
        prune_half_at_random(space, seed)
        predicted = float(space.macs().detach())
        with torch.no_grad():
            gated = model(x)
            compact, _ = export(space)
            result.rel_diff = max_rel_diff(gated, compact(x))
        result.pruned_macs_ratio = predicted / mmengine_macs(compact, x[:1])
    except PaSError as e:
        result.status = 'refused'
        result.message = f'{type(e).__name__}: {str(e).splitlines()[0]}'
    except Exception as e:  # a failure to report, not to hide
        result.message = f'{type(e).__name__}: {str(e).splitlines()[0]}' \
            if str(e) else type(e).__name__
    else:
        ok_macs = abs(result.macs_ratio - 1) <= MACS_TOLERANCE and \
            abs(result.pruned_macs_ratio - 1) <= MACS_TOLERANCE
        ok_out = result.rel_diff <= EXACT
        result.status = 'exact' if ok_macs and ok_out else 'failed'
        if not ok_out:
            result.message = f'output differs by {result.rel_diff:.2e}'
        elif not ok_macs:
            result.message = (f'MACs {result.macs_ratio:.4f} x '
                              'mmengine.analysis, pruned '
                              f'{result.pruned_macs_ratio:.4f} x')
    result.seconds = time.perf_counter() - start
    return result


# what may hold a model above REACH_LIMIT: the architecture's own
# choices, which no width search changes, not a gap in pas-mm
INHERENT_HOLDERS = ('a product of activations', 'slides along the channels',
                    'layer_norm over channels')
# models whose reach is poor for a reason pas-mm can fix and has not yet
# (the zoo test fails when one of them is fixed, so the list only shrinks)
_SWIN_V2 = ("torchvision's Swin V2 attention is not yet an attention unit: "
            'its position-bias MLP makes one output per head, not yet '
            'costed per kept head')
OPEN_REACH: Dict[str, str] = {
    **{name: _SWIN_V2 for name in ('swin_v2_t', 'swin_v2_s', 'swin_v2_b')},
    'swinv2_cr_tiny_ns_224': "SwinV2-CR's window attention splits the "
    'input width into heads: not yet an attention unit',
    'davit_tiny': "DaViT's window attention splits the input width into "
    'heads: not yet an attention unit',
    'xcit_nano_12_p16_224': "XCiT's cross-covariance attention splits the "
    'input width into heads: not yet an attention unit',
    'mvitv2_tiny': "MViTv2's pooled attention pools per head: not yet an "
    'attention unit',
    'twins_svt_small': "timm's Twins attention is not yet an attention unit",
    'coat_lite_tiny': "CoaT's factorised attention is not yet an attention "
    'unit',
}


def reach_problem(result: ZooResult) -> Optional[str]:
    """Why ``result``'s reach is a failure, or None."""
    name = result.model.name
    if result.reach is None:
        return None
    if result.reach <= REACH_LIMIT:
        if name in OPEN_REACH:
            return (f'reaches {result.reach:.3f} now: drop it from '
                    'OPEN_REACH')
        return None
    if name in OPEN_REACH or any(h in result.held_by
                                 for h in INHERENT_HOLDERS):
        return None
    return f'reach {result.reach:.3f}, held most by {result.held_by}'


def zoo_failures(models: List[ZooModel]) -> List[str]:
    """'name: what went wrong' for every model that neither exports
    exactly nor is refused with one PaSError line, or whose gates cannot
    cut its MACs to REACH_LIMIT for a reason pas-mm could fix."""
    failed = []
    for entry in models:
        result = check_model(entry)
        refused_clearly = result.status == 'refused' and result.message \
            and '\n' not in result.message
        problem = reach_problem(result)
        if result.status != 'exact' and not refused_clearly:
            failed.append(f'{entry.name}: {result.message}')
        elif problem:
            failed.append(f'{entry.name}: {problem}')
    return failed


@contextmanager
def _time_limit(seconds: int):
    def expire(signum, frame):
        raise TimeoutError(f'no result in {seconds} s')
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _classifiers(model: nn.Module) -> List[nn.Module]:
    return [m for m in model.modules()
            if (isinstance(m, nn.Linear) and m.out_features == NUM_CLASSES)
            or (isinstance(m, nn.Conv2d) and m.out_channels == NUM_CLASSES)]


def _attention_heads(model: nn.Module) -> Dict[nn.Module, int]:
    """Torch-Pruning's ``num_heads``: each timm-style attention's qkv
    linear and its head count (as its examples give them)."""
    return {m.qkv: m.num_heads for m in model.modules()
            if isinstance(getattr(m, 'qkv', None), nn.Linear) and
            isinstance(getattr(m, 'num_heads', None), int)}


def _update_heads(model: nn.Module, pruner) -> None:
    """What Torch-Pruning's timm example does after a step: the attention
    modules take the head counts and sizes it pruned to."""
    for m in model.modules():
        qkv = getattr(m, 'qkv', None)
        if qkv in pruner.num_heads:
            m.num_heads = pruner.num_heads[qkv]
            if hasattr(m, 'head_dim'):
                m.head_dim = qkv.out_features // (3 * m.num_heads)
            if hasattr(m, 'attn_dim'):
                m.attn_dim = qkv.out_features // 3


def tp_outcome(entry: ZooModel, limit_s: int = 120) -> str:
    """Torch-Pruning 1.6.1 out of the box: random importance, 50 % of the
    channels, the classifier ignored, timm-style attention heads given
    and updated after the step (Torch-Pruning's timm example);
    'pruned' when the pruned model runs and gives an output of the right
    shape, else what stopped it (or a time-out: a hang)."""
    import torch_pruning as tp
    model = entry.build().eval()
    x = torch.randn(1, 3, entry.size, entry.size)
    try:
        with _time_limit(limit_s), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            pruner = tp.pruner.MetaPruner(
                model, x, importance=tp.importance.RandomImportance(),
                pruning_ratio=0.5, ignored_layers=_classifiers(model),
                num_heads=_attention_heads(model))
            pruner.step()
            _update_heads(model, pruner)
            with torch.no_grad():
                out = model(x)
    except Exception as e:  # Torch-Pruning's failure, reported as is
        text = str(e).splitlines()[0] if str(e) else ''
        return f'fails: {type(e).__name__}: {text}'[:120]
    if tuple(out.shape) != (1, NUM_CLASSES):
        return f'fails: output shape {tuple(out.shape)}'
    return 'pruned'


def torchvision_models() -> List[ZooModel]:
    """Every torchvision classification model under 100 M parameters."""
    from torchvision import models
    out = []
    for name in models.list_models(module=models):
        entry = ZooModel(name, 'torchvision',
                         re.match('[a-z]+', name).group(),
                         **TORCHVISION_INPUTS.get(name, {}))
        with torch.device('meta'):
            try:
                params = sum(p.numel() for p in entry.build().parameters())
            except Exception:  # an initialiser the meta device lacks
                params = None
        if params is None:
            params = sum(p.numel() for p in entry.build().parameters())
        if params < MAX_PARAMS:
            out.append(entry)
    return out


def timm_models() -> List[ZooModel]:
    return [ZooModel(name, 'timm', family, **kw)
            for name, family, kw in TIMM_MODELS]


# the sizes the models need (their patch / window / stage geometry)
TORCHVISION_INPUTS: Dict[str, dict] = {
    'inception_v3': dict(size=96, kwargs=dict(aux_logits=False,
                                              init_weights=False)),
    'googlenet': dict(kwargs=dict(aux_logits=False, init_weights=False)),
    'vit_b_16': dict(kwargs=dict(image_size=64)),
    'vit_b_32': dict(kwargs=dict(image_size=64)),
    'maxvit_t': dict(size=224),
    'swin_t': dict(size=64), 'swin_s': dict(size=64), 'swin_b': dict(size=64),
}
TIMM_MODELS = (
    ('resnet26d', 'ResNet-D', {}),
    ('resnext26ts', 'ResNeXt', {}),
    ('seresnext26d_32x4d', 'SE-ResNeXt', {}),
    ('regnetx_002', 'RegNet', {}),
    ('efficientnet_b0', 'EfficientNet', {}),
    ('mobilenetv2_050', 'MobileNetV2', {}),
    ('mobilenetv3_small_050', 'MobileNetV3', {}),
    ('mobilenetv4_conv_small', 'MobileNetV4', {}),
    ('ghostnet_050', 'GhostNet', {}),
    ('mnasnet_050', 'MNASNet', {}),
    ('densenet121', 'DenseNet', {}),
    ('dla34', 'DLA', {}),
    ('dpn48b', 'DPN', {}),
    ('hrnet_w18_small', 'HRNet', {}),
    ('res2net50_14w_8s', 'Res2Net', {}),
    ('repvgg_a0', 'RepVGG', {}),
    ('mobileone_s0', 'MobileOne', {}),
    ('rexnet_100', 'ReXNet', {}),
    ('cspresnet50', 'CSPResNet', {}),
    ('cspdarknet53', 'DarkNet', {}),
    ('vgg11_bn', 'VGG', {}),
    ('inception_v3', 'Inception-v3', dict(size=96)),
    ('convnext_atto', 'ConvNeXt', {}),
    ('efficientvit_b0', 'EfficientViT', {}),
    ('fastvit_t8', 'FastViT', {}),
    ('repghostnet_050', 'RepGhost', {}),
    ('vit_tiny_patch16_224', 'ViT', dict(kwargs=dict(img_size=64))),
    ('deit_tiny_patch16_224', 'DeiT', dict(kwargs=dict(img_size=64))),
    ('swin_tiny_patch4_window7_224', 'Swin',
     dict(kwargs=dict(img_size=64, window_size=4))),
    ('mobilevit_xxs', 'MobileViT', {}),
    ('levit_128s', 'LeViT', dict(kwargs=dict(img_size=64))),
    ('poolformer_s12', 'PoolFormer', {}),
    ('pvt_v2_b0', 'PVTv2', {}),
    ('coat_lite_tiny', 'CoaT', dict(kwargs=dict(img_size=64))),
    ('edgenext_xx_small', 'EdgeNeXt', {}),
    ('maxvit_rmlp_pico_rw_256', 'MaxViT', dict(kwargs=dict(img_size=64))),
    ('nf_resnet26', 'NF-ResNet (weight-standardised convs)', {}),
    ('nf_regnet_b0', 'NF-RegNet (grouped weight-standardised convs)', {}),
    ('resnet50_gn', 'ResNet (GroupNorm)', {}),
    ('resnetv2_50x1_bit', 'BiT (GroupNorm, weight-standardised convs)', {}),
    ('resnetblur18', 'ResNet-Blur (BlurPool)', {}),
    # families added for reach (grouped, split, gated and attention-mixed
    # channels)
    ('resnetv2_50', 'ResNetV2 (pre-activation)', {}),
    ('ecaresnet26t', 'ECA-ResNet (conv1d over channels)', {}),
    ('botnet26t_256', 'BoTNet (attention-augmented ResNet)',
     dict(kwargs=dict(img_size=64))),
    ('sebotnet33ts_256', 'SE-BoTNet', dict(kwargs=dict(img_size=64))),
    ('lambda_resnet26t', 'LambdaNet', {}),
    ('resnest14d', 'ResNeSt (split attention)', {}),
    ('skresnet18', 'SK-ResNet (selective kernels)', {}),
    ('xception41', 'Xception', {}),
    ('legacy_xception', 'Xception (original)', {}),
    ('ese_vovnet19b_dw', 'VoVNet', {}),
    ('ese_vovnet39b', 'VoVNet', {}),
    ('cs3darknet_s', 'CSP-DarkNet (CS3)', {}),
    ('mixnet_s', 'MixNet (mixed kernels)', {}),
    ('ghostnetv2_100', 'GhostNetV2', {}),
    ('hgnetv2_b0', 'HGNetV2', {}),
    ('tresnet_m', 'TResNet', {}),
    ('selecsls42b', 'SelecSLS', {}),
    ('tinynet_a', 'TinyNet', {}),
    ('inception_next_tiny', 'InceptionNeXt', {}),
    ('mambaout_femto', 'MambaOut (gated CNN)', {}),
    ('mixer_s16_224', 'MLP-Mixer', dict(kwargs=dict(img_size=64))),
    ('resmlp_12_224', 'ResMLP', dict(kwargs=dict(img_size=64))),
    ('gmlp_s16_224', 'gMLP (gated MLP)', dict(kwargs=dict(img_size=64))),
    ('twins_svt_small', 'Twins (hierarchical ViT)', {}),
    ('nest_tiny', 'NesT (hierarchical ViT)', dict(kwargs=dict(img_size=64))),
    ('efficientformer_l1', 'EfficientFormer (hybrid)', dict(size=224)),
    ('gcvit_xxtiny', 'GCViT (hybrid)', dict(kwargs=dict(img_size=64))),
    ('convmixer_768_32', 'ConvMixer (padding="same")', {}),
    # hierarchical ViTs: windowed, pooled, cross-covariance and focal
    # attention (MACs at the pruned widths checked as everywhere)
    ('swinv2_cr_tiny_ns_224', 'SwinV2-CR (windowed attention)',
     dict(size=224)),
    ('davit_tiny', 'DaViT (window and channel attention)', {}),
    ('pit_ti_224', 'PiT (pooled ViT)', dict(size=224)),
    ('mvitv2_tiny', 'MViTv2 (pooled attention)', dict(size=224)),
    ('xcit_nano_12_p16_224', 'XCiT (cross-covariance attention)',
     dict(kwargs=dict(img_size=64))),
    ('focalnet_tiny_srf', 'FocalNet (focal modulation)', {}),
)
