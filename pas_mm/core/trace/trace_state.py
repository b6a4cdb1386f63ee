"""The state one trace builds up, shared by the tracer and its op rules."""
from typing import Dict, List, Optional

import torch

from .graph import (ChannelNode, FreeCall, LayerCall, Layout, ProductCall,
                    SplitSizes, pin)


class TraceState:
    """Layouts of the live tensors, the channel nodes and the recorded calls.

    ``ChannelTracer`` owns one and pushes the name of the running module;
    ``FreeOpRules`` reads and writes layouts through it.

    Args:
        batch (int): the batch size of the example inputs (costs are per
            sample). Default: 1.
    """

    def __init__(self, batch: int = 1):
        self.batch = batch
        self.nodes: List[ChannelNode] = []
        self.calls: Dict[str, List[LayerCall]] = {}
        self.free_calls: List[FreeCall] = []
        self.product_calls: List[ProductCall] = []
        self.split_sizes: List[SplitSizes] = []
        self.stack = ['']  # names of the modules being run
        self.entry_layouts = [[]]  # the layouts each of them was called on
        self._layouts = {}  # id(tensor) -> (tensor, Layout): keeps it alive

    def here(self) -> str:
        """The name of the innermost module being run."""
        return self.stack[-1]

    def new_node(self, size: int, producer: Optional[str] = None,
                 pinned: Optional[str] = None) -> ChannelNode:
        node = ChannelNode(self.nodes, size)
        if producer is not None:
            node.producers.append(producer)
        if pinned:
            node.pinned.append(pinned)
        return node

    def new_layout(self, tensor: torch.Tensor, dim: int,
                   producer: Optional[str] = None,
                   pinned: Optional[str] = None) -> Layout:
        """A fresh channel group for dim ``dim`` of ``tensor``."""
        node = self.new_node(tensor.shape[dim], producer, pinned)
        layout = Layout(dim, ((node, tensor.shape[dim]), ))
        self.set(tensor, layout)
        return layout

    def get(self, t) -> Optional[Layout]:
        entry = self._layouts.get(id(t)) if isinstance(t, torch.Tensor) \
            else None
        return entry[1] if entry is not None and entry[0] is t else None

    def set(self, t, layout: Layout) -> None:
        if isinstance(t, torch.Tensor):
            self._layouts[id(t)] = (t, layout)

    def pin_all(self, layouts, reason: str) -> None:
        for layout in layouts:
            for node in layout.nodes():
                pin(node, reason)

    def release(self) -> None:
        """Forget the tensors (the trace is over)."""
        self._layouts.clear()
