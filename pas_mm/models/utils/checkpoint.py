from mmengine.logging import MMLogger
from mmengine.runner import CheckpointLoader

from pas_mm.core.errors import CheckpointError
from pas_mm.core.search.space import GATES_ATTR

PREFIXES = ('architecture.', 'module.')


def load_architecture_weights(architecture, path: str, prefix: str = ''):
    """Load a trained (unpruned) checkpoint into ``architecture``.

    Gate latents are absent from such checkpoints and keep their initial
    value (every channel on). Any other missing or unexpected key is an
    error naming the checkpoint: PaS must start from the trained net.

    Args:
        architecture (nn.Module): the module to load into.
        path (str): the checkpoint.
        prefix (str): load only the keys under this prefix (stripped),
            e.g. ``'generators.'`` of a GAN. Defaults to ''.
    """
    ckpt = read_checkpoint(path)
    state = ckpt.get('state_dict', ckpt)
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items()
                 if k.startswith(prefix)}
    clean = {}
    for key, value in state.items():
        for prefix in PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
        clean[key] = value
    result = architecture.load_state_dict(clean, strict=False)
    # gates and the PaS extra state are not part of a trained plain model
    missing = [k for k in result.missing_keys
               if not _is_gate(k) and not k.endswith('_extra_state')]
    unexpected = [k for k in result.unexpected_keys if not _is_gate(k)]
    if missing or unexpected:
        raise CheckpointError(
            f'checkpoint {path} does not fit the architecture: '
            f'{len(missing)} missing keys (e.g. {missing[:3]}), '
            f'{len(unexpected)} unexpected (e.g. {unexpected[:3]})')
    MMLogger.get_current_instance().info(
        f'PaS: loaded trained weights from {path}')


def _is_gate(key: str) -> bool:
    # gates hang off the searched module: 'pas_gates.*',
    # 'generators.pas_gates.*'
    return f'.{GATES_ATTR}.' in f'.{key}'


def read_checkpoint(path: str) -> dict:
    """Read a checkpoint file; one ``CheckpointError`` line when it is
    missing, truncated or not a checkpoint."""
    import os.path as osp
    if not osp.isfile(path):
        raise CheckpointError(f'cannot read checkpoint {path}: no such '
                              'file')
    try:
        ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    except Exception as e:
        first = (str(e).strip().splitlines() or [''])[0]
        raise CheckpointError(f'cannot read checkpoint {path} (corrupt or '
                              f'not a checkpoint): {type(e).__name__}: '
                              f'{first}') from None
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise CheckpointError(f'checkpoint {path} holds no state_dict')
    return ckpt


def check_checkpoint_keys(model, ckpt: dict, path: str,
                          hint: str = '') -> None:
    """Raise one ``CheckpointError`` line when the checkpoint's keys do not
    match ``model``'s (another model's checkpoint would otherwise load
    partly, with a warning lost among the log lines).

    Gate latents may be absent (a checkpoint exported in place holds the
    compact model, which the PaS model rebuilds from its extra state).
    """
    state = ckpt.get('state_dict', ckpt)
    keys = {k[len('module.'):] if k.startswith('module.') else k
            for k in state}
    ours = set(model.state_dict())
    missing = sorted(k for k in ours - keys
                     if not _is_gate(k) and not k.endswith('_extra_state'))
    unexpected = sorted(keys - ours)
    if missing or unexpected:
        raise CheckpointError(
            f'checkpoint {path} does not fit the model of this config '
            f'({type(model).__name__}): {len(missing)} missing keys (e.g. '
            f'{missing[:2]}), {len(unexpected)} unexpected (e.g. '
            f'{unexpected[:2]}){hint}')
    check_checkpoint_shapes(model, ckpt, path, hint)


def check_checkpoint_shapes(model, ckpt: dict, path: str,
                            hint: str = '') -> None:
    """Raise one ``CheckpointError`` line naming the first tensor whose
    shape differs between the checkpoint and ``model`` (mmengine's
    non-strict load would print a size-mismatch line per tensor and go on
    with the model's own init).

    A checkpoint of a model exported in place (its extra state holds the
    compact width spec) is skipped: the model reshapes itself to it when
    it loads, before the tensors.
    """
    from .extra_state import decode_extra_state
    state = ckpt.get('state_dict', ckpt)
    plain = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    if any(k.endswith('_extra_state') and _compact_spec(v, decode_extra_state)
           for k, v in plain.items()):
        return
    for key, ours in model.state_dict().items():
        theirs = plain.get(key)
        if not hasattr(theirs, 'shape') or not hasattr(ours, 'shape'):
            continue
        if tuple(theirs.shape) != tuple(ours.shape):
            raise CheckpointError(
                f'checkpoint {path} does not fit the model of this config '
                f'({type(model).__name__}): {key} is '
                f'{list(theirs.shape)} in the checkpoint, '
                f'{list(ours.shape)} in the model{hint}')


def _compact_spec(value, decode) -> bool:
    try:
        return decode(value) is not None
    except (ValueError, TypeError, AttributeError):
        return False
