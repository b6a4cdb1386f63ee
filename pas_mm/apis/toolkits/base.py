"""How a toolkit's model is run outside its Runner: the interface."""
import torch


class ToolkitAdapter:
    """How to run one toolkit's models on a synthetic input, for MACs,
    latency and ONNX export. One subclass per toolkit, looked up by the
    config's ``default_scope`` in ``pas_mm.apis.toolkits.TOOLKITS``.

    Attributes:
        scope (str): the toolkit's registry scope.
        default_shape (tuple[int, int]): (H, W) when neither the config
            nor the command line gives one.
    """
    scope = ''
    default_shape = (224, 224)

    def tensor_forward(self, model, x, data_samples=None):
        """The network on one image tensor, as the toolkit's get_flops
        runs it."""
        return model(x, mode='tensor')

    def flops_inputs(self, model, shape):
        """(data samples or None, example input) for mmengine.analysis."""
        return None, torch.randn(1, 3, *shape)

    def inference_fn(self, model, shape, batch, device='cpu',
                     channels_last=False):
        """A no-argument callable running one inference batch (an NHWC
        input with ``channels_last``), or None to time ``tensor_forward``
        on a random batch."""
        return None

    def deploy_net(self, model):
        """The module ONNX export starts from."""
        return model

    def deploy_forward(self, model, net, x):
        """What the deployed network returns for ``x``."""
        return model(x, mode='tensor')

    def deploy_output_names(self, count):
        """ONNX output names: 'output', numbered when there are several."""
        return ['output'] if count == 1 else \
            [f'output_{i}' for i in range(count)]
