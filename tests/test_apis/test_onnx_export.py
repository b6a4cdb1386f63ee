"""pas_mm.apis.onnx_export: the one ONNX export and onnxruntime session."""
import io

import numpy as np
import pytest
import torch
from torch import nn

from pas_mm.apis import error_line
from pas_mm.apis.errors import ModelLoadError
from pas_mm.apis.onnx_export import cpu_session, export_onnx


def test_export_runs_in_onnxruntime_as_in_torch(tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                        nn.Conv2d(8, 4, 1)).eval()
    x = torch.randn(2, 3, 16, 16)
    buf = io.BytesIO()
    export_onnx(net, x, buf, output_names=['out'])
    session = cpu_session(buf.getvalue())
    assert [o.name for o in session.get_outputs()] == ['out']
    got, = session.run(None, {'input': x.numpy()})
    with torch.no_grad():
        want = net(x).numpy()
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()
    path = tmp_path / 'net.onnx'  # a path works as well as a buffer
    export_onnx(net, x, str(path))
    assert cpu_session(str(path)).run(None, {'input': x.numpy()})[0].shape \
        == want.shape


class _NotExportable(nn.Module):

    def forward(self, x):
        return torch.linalg.svd(x)[1]  # no ONNX symbolic for svd


def test_failed_export_is_one_line_naming_the_module(tmp_path, capsys):
    with pytest.raises(ModelLoadError) as e:
        export_onnx(_NotExportable(), torch.randn(1, 3), io.BytesIO())
    assert error_line(e.value).startswith(
        'pas-mm: error: cannot export _NotExportable to ONNX (opset 17): ')
