"""mmagic: every generator on (N, 3, H, W), the network that translates."""
from pas_mm.core.search.space import GATES_ATTR
from ..errors import ModelLoadError
from .base import ToolkitAdapter


def generators(model):
    """domain -> generator of an mmagic translation model (its search
    gates left out)."""
    gens = getattr(model, 'generators', None)
    if gens is None:
        raise ModelLoadError(f'{type(model).__name__} has no generators')
    return {d: g for d, g in gens.items() if d != GATES_ATTR}


class TranslationAdapter(ToolkitAdapter):
    """mmagic image translation (Pix2Pix, CycleGAN): every generator for
    MACs and latency, the default domain's for ONNX."""
    scope = 'mmagic'
    default_shape = (256, 256)

    def tensor_forward(self, model, x, data_samples=None):
        return [g(x) for g in generators(model).values()]

    def deploy_net(self, model):
        return generators(model)[model._default_domain]

    def deploy_forward(self, model, net, x):
        return net(x)
