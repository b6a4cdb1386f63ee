"""Distributed training on CPU (gloo) with mmengine 0.10.7.

``mmengine.dist.utils._init_dist_pytorch`` calls ``torch.cuda.set_device``
before ``init_process_group`` whatever the backend, so
``tools/dist_train.sh CONFIG 2`` dies with "Found no NVIDIA driver" on a
machine without CUDA (no upstream issue found). Without CUDA we initialise the
process group directly; with CUDA the original function runs unchanged.
``Runner.wrap_model`` also passes ``device_ids=[LOCAL_RANK]``, which DDP
rejects for CPU modules: pas_mm.apis.config sets ``device_ids=None`` in the
config's ``model_wrapper_cfg`` for such runs.
"""
import torch


def patch_cpu_distributed() -> None:
    import mmengine.dist.utils as dist_utils
    original = dist_utils._init_dist_pytorch
    if getattr(original, '_pas_mm_patched', False):
        return

    def init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        torch.distributed.init_process_group(backend=backend, **kwargs)

    init_dist_pytorch._pas_mm_patched = True
    dist_utils._init_dist_pytorch = init_dist_pytorch
