"""mmengine 0.10.7 calls ``torch.load`` without ``weights_only``.

Since torch 2.6 the default is ``weights_only=True``, which refuses the
message-hub / numpy objects inside Runner checkpoints, so ``--resume`` and
``load_from`` fail (open-mmlab/mmengine#1621). Runner checkpoints named by the
user on the command line or in a config are trusted, so the tools opt back in
to full unpickling with torch's documented switch. pas-mm's own exported
compact checkpoints (``tools/export.py``) hold tensors and plain containers
only, so they load with ``torch.load(path, weights_only=True)`` whatever this
switch says (the classification pipeline test loads one that way).
"""
import os

ENV_FLAG = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'


def allow_trusted_runner_checkpoints() -> None:
    os.environ.setdefault(ENV_FLAG, '1')
