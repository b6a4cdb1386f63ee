"""Build a model from a config (+ checkpoint) and run it on a synthetic
input the way its toolkit runs it, for MACs, latency and ONNX export.

What differs per toolkit is one adapter each, in a table keyed by scope
(``pas_mm.apis.toolkits``): mmpretrain's tensor forward, mmdet's test step
and tensor forward, mmagic's generators. A PaS search config builds its
unpruned architecture (say so in reports); the ``config.py`` written by
tools/export.py builds the compact model.
"""
import json
import os.path as osp

import torch
from torch import nn

from pas_mm.core import PaSError
from .cli import setup_env
from .config import load_config
from .errors import ModelLoadError
from .toolkits import TOOLKITS, toolkit_of

DEFAULT_SHAPES = {scope: t.default_shape for scope, t in TOOLKITS.items()}


def _pipeline_size(pipeline):
    """(H, W) from the first resize / crop step of a data pipeline."""
    for step in pipeline or []:
        if not isinstance(step, dict):
            continue
        for key in ('crop_size', 'scale', 'size'):
            value = step.get(key)
            if isinstance(value, int):
                return (value, value)
            if isinstance(value, (list, tuple)) and len(value) == 2 and \
                    all(isinstance(v, int) for v in value):
                w, h = value  # mmcv / mmdet scales are (w, h)
                return (h, w) if key == 'scale' else (value[0], value[1])
    return None


def config_input_size(cfg, scope):
    """((H, W), where it came from): the PaS trace shape, the compact
    model's width spec, the test then the train pipeline, else the
    toolkit's default."""
    model = cfg.get('model', {})
    if model.get('input_shape'):
        return tuple(model['input_shape'][-2:]), 'model.input_shape'
    spec = model.get('width_spec')
    if isinstance(spec, str) and osp.isfile(spec):
        with open(spec) as f:
            shapes = json.load(f).get('input_shapes')
        if shapes:
            return tuple(shapes[0][-2:]), 'the width spec'
    for key in ('test_dataloader', 'train_dataloader'):
        dataset = (cfg.get(key) or {}).get('dataset') or {}
        size = _pipeline_size(dataset.get('pipeline'))
        if size:
            return size, f'{key} pipeline'
    return DEFAULT_SHAPES[scope], f'the {scope} default'


def load_model(config, checkpoint=None, cfg_options=None):
    """Build ``config``'s model and load ``checkpoint`` (strict).

    Args:
        config (str): any config: plain, PaS search (its unpruned network)
            or the ``config.py`` that tools/export.py writes.
        checkpoint (str, optional): weights to load. Default: None.
        cfg_options (dict, optional): overrides. Default: None.

    Returns:
        tuple: (model in eval mode, cfg, scope).
    """
    setup_env()
    cfg = load_config(config, cfg_options, loaders=())
    setup_env(cfg)
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint
    scope = cfg.get('default_scope', 'mmengine')
    toolkit_of(scope, config)
    init_default_scope(scope)
    model_cfg = cfg.model
    if 'pretrained' in model_cfg:  # PaS; the weights come from --checkpoint
        from pas_mm.models.algorithms import weights_from_checkpoint
        weights_from_checkpoint(model_cfg)
    try:
        model = MODELS.build(model_cfg)
    except PaSError as e:
        raise ModelLoadError(f'{type(e).__name__}: {e}')
    from pas_mm.models import PaSSearchMixin
    if isinstance(model, PaSSearchMixin):  # a search model: its plain net
        model.space.remove()
    if checkpoint:
        if not osp.isfile(checkpoint):
            raise ModelLoadError(f'checkpoint not found: {checkpoint}')
        try:
            load_checkpoint(model, checkpoint, map_location='cpu',
                            strict=True, logger='silent')
        except Exception as e:
            raise ModelLoadError(
                f'cannot load checkpoint {checkpoint} into {config}: '
                f'{type(e).__name__}: {str(e).strip()[:200]}')
    return model.eval(), cfg, scope


def as_deployed(model) -> int:
    """Merge the model's RepVGG-style blocks in place: the form it is
    deployed in, and the one exported compact models already have, so that
    a timing compares like with like. Returns how many blocks merged."""
    from pas_mm.core import reparameterize
    return reparameterize(model)


def load_for_timing(config, checkpoint=None, shape=None, threads=None):
    """(model, scope, (H, W)): what a timing tool opens with, as deployed
    (``as_deployed``). ``threads`` sets torch's thread count first;
    ``shape`` defaults to the toolkit's (``DEFAULT_SHAPES``)."""
    if threads:
        torch.set_num_threads(int(threads))
    model, _, scope = load_model(config, checkpoint)
    as_deployed(model)
    return model, scope, tuple(shape or DEFAULT_SHAPES[scope])


class TensorForward(nn.Module):
    """The network as a module of one tensor input, for FlopAnalyzer."""

    def __init__(self, model, scope, data_samples=None):
        super().__init__()
        self.model, self.samples = model, data_samples
        self.toolkit = toolkit_of(scope)

    def forward(self, x):
        return self.toolkit.tensor_forward(self.model, x, self.samples)


def flops_inputs(model, scope, shape):
    """(module, example inputs) for mmengine.analysis."""
    samples, x = toolkit_of(scope).flops_inputs(model, shape)
    return TensorForward(model, scope, samples), (x, )


def inference_fn(model, scope, shape, batch, device='cpu',
                 channels_last=False):
    """A no-argument callable running one inference batch (NHWC weights
    and input with ``channels_last``)."""
    if channels_last:
        model.to(memory_format=torch.channels_last)
    run = toolkit_of(scope).inference_fn(model, shape, batch, device,
                                         channels_last)
    if run is not None:
        return run
    x = torch.randn(batch, 3, *shape, device=device)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    module = TensorForward(model, scope)
    return lambda: module(x)


class TracedForward(nn.Module):
    """``run(net, x)`` as a module's forward: a search space's network run
    the way it was traced (``pas_mm.models.utils.inputs.trace_fn``), for
    the latency tools and their ONNX export."""

    def __init__(self, net: nn.Module, run):
        super().__init__()
        self.net, self._run = net, run

    def forward(self, x):
        return self._run(self.net, x)


class DeployForward(nn.Module):
    """The network as deployed (ONNX): classifier logits, detector FPN
    levels, the default-domain generator."""

    def __init__(self, model, scope):
        super().__init__()
        self.model, self.toolkit = model, toolkit_of(scope)
        net = self.toolkit.deploy_net(model)
        if net is not model:
            self.net = net

    def forward(self, x):
        return self.toolkit.deploy_forward(self.model,
                                           getattr(self, 'net', None), x)


def deploy_output_names(scope, count):
    """FPN levels for detectors ('fpn_0'...), else 'output' (numbered when
    there are several)."""
    return toolkit_of(scope).deploy_output_names(count)
