"""pas-mm's one ONNX export (torch.onnx, TorchScript exporter) and
onnxruntime CPU session: tools/deploy/export_onnx.py and the onnxruntime
latency backend both go through it."""
from typing import List, Optional

import torch
from torch import nn

from .errors import ModelLoadError

OPSET = 17


def export_onnx(module: nn.Module, x: torch.Tensor, f,
                opset: int = OPSET,
                output_names: Optional[List[str]] = None) -> None:
    """Export ``module(x)`` (no grad) to ``f`` (a path or a binary file)
    with one input named ``input``; a failed export is one error line
    naming the module."""
    try:
        with torch.no_grad():
            torch.onnx.export(module, (x, ), f, dynamo=False,
                              opset_version=opset, input_names=['input'],
                              output_names=output_names)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ''
        raise ModelLoadError(
            f'cannot export {type(module).__name__} to ONNX (opset '
            f'{opset}): {type(e).__name__}: {first}')


def cpu_session(model):
    """An onnxruntime CPU session of ``model`` (a path or the bytes of an
    ONNX file). Its threads do not spin-wait after a run: by default they
    do, and the sessions timed interleaved then steal each other's cores
    (the timings of one network swung 2.5x between runs)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    return ort.InferenceSession(model, sess_options=options,
                                providers=['CPUExecutionProvider'])
