"""The width spec of an in-place export, as a module's extra state."""
import json
from typing import Optional

import torch


def encode_extra_state(spec: Optional[dict]) -> torch.Tensor:
    """The width spec as a uint8 tensor of JSON (empty: none).

    A tensor, not a dict: under DDP mmengine's Runner broadcasts every
    state_dict entry as a tensor (``Runner._init_model_weights``), and
    checkpoints load with ``torch.load(weights_only=True)``.
    """
    if spec is None:
        return torch.zeros(0, dtype=torch.uint8)
    return torch.frombuffer(bytearray(json.dumps(spec).encode()),
                            dtype=torch.uint8).clone()


def decode_extra_state(state) -> Optional[dict]:
    """The width spec ``encode_extra_state`` stored, or None."""
    if isinstance(state, torch.Tensor):
        return json.loads(bytes(state.tolist()).decode()) if state.numel() \
            else None
    return (state or {}).get('compact_width_spec')  # older checkpoints
