import torch

from pas_mm.core import DBCGate, ste_mask


def test_forward_is_binary_and_backward_is_identity():
    latent = torch.tensor([1.0, 0.6, 0.5, 0.2, -0.3], requires_grad=True)
    mask = ste_mask(latent)
    assert mask.tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]
    (mask * torch.arange(5.)).sum().backward()
    assert latent.grad.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_gate_masks_channels_and_counts_kept():
    gate = DBCGate(4)
    assert gate.latent.tolist() == [1.0] * 4
    with torch.no_grad():
        gate.latent[1] = 0.1
    x = torch.ones(2, 4, 3, 3)
    y = gate(x)
    assert y[:, 1].abs().sum() == 0 and y[:, [0, 2, 3]].eq(1).all()
    kept = gate.kept()
    assert kept.item() == 3
    kept.backward()
    assert gate.latent.grad.tolist() == [1.0] * 4  # STE: every latent moves
    assert gate.kept_indices().tolist() == [0, 2, 3]


def test_freeze_stops_gradients():
    gate = DBCGate(3)
    gate.freeze()
    assert gate.frozen and not gate.latent.requires_grad
