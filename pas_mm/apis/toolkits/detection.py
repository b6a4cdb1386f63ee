"""mmdet: the whole test step for latency, the tensor forward for MACs."""
import torch

from .base import ToolkitAdapter


def det_batch(batch, shape):
    """``batch`` random uint8 images of ``shape`` (H, W) with the metadata
    mmdet's test step reads."""
    from mmdet.structures import DetDataSample
    h, w = shape
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w),
                batch_input_shape=(h, w), scale_factor=(1.0, 1.0))
    gen = torch.Generator().manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 256, (3, h, w), generator=gen,
                              dtype=torch.uint8) for _ in range(batch)],
        data_samples=[DetDataSample(metainfo=meta) for _ in range(batch)])


class DetectionAdapter(ToolkitAdapter):
    """mmdet detectors: ``test_step`` (pre-processing, backbone, neck, RPN,
    RoI heads, post-processing) for latency; ``forward(mode='tensor')``
    for MACs, as mmdet's get_flops does; the FPN levels for ONNX."""
    scope = 'mmdet'
    default_shape = (800, 1344)

    def tensor_forward(self, model, x, data_samples=None):
        return model(x, data_samples, mode='tensor')

    def flops_inputs(self, model, shape):
        data = model.data_preprocessor(det_batch(1, shape), False)
        return data['data_samples'], data['inputs']

    def inference_fn(self, model, shape, batch, device='cpu',
                     channels_last=False):
        data = det_batch(batch, shape)  # the preprocessor moves it
        return lambda: model.test_step(data)

    def deploy_forward(self, model, net, x):
        return tuple(model.extract_feat(x))

    def deploy_output_names(self, count):
        return [f'fpn_{i}' for i in range(count)]
