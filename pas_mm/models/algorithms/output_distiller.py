"""OutputDistiller: knowledge distillation from the unpruned network into
the pruned one, on the output of one named sub-module."""
import contextlib
import copy
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from pas_mm.core.errors import SettingsError

DISTILL_KEYS = ('module', 'loss', 'weight', 'temperature', 'during_search')
LOSSES = ('kl', 'l1', 'mse')


def check_distill(cfg: Optional[dict]) -> Optional[dict]:
    """Validate ``distill`` settings; return them with defaults filled."""
    if cfg is None:
        return None
    if not isinstance(cfg, dict) or set(cfg) - set(DISTILL_KEYS) or \
            not isinstance(cfg.get('module'), str):
        keys = sorted(cfg) if isinstance(cfg, dict) else cfg
        raise SettingsError(
            "distill needs dict(module='head.fc', loss='kl', weight=1.0, "
            f'temperature=4.0, during_search=False), got {keys}')
    cfg = dict(dict(loss='kl', weight=1.0, temperature=4.0,
                    during_search=False), **cfg)
    if cfg['loss'] not in LOSSES:
        raise SettingsError(f"distill.loss must be one of {LOSSES}, got "
                            f"{cfg['loss']!r}")
    if not cfg['weight'] > 0 or not cfg['temperature'] > 0:
        raise SettingsError('distill.weight and distill.temperature must be '
                            f"> 0, got {cfg['weight']} and "
                            f"{cfg['temperature']}")
    return cfg


def _tensors(out) -> List[torch.Tensor]:
    """The tensors of a module's output: one (logits, an image) or several
    (the levels of an FPN)."""
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _tensors(o)]
    return []


class OutputDistiller:
    """Distil the output of ``module`` of a frozen teacher into the student.

    The teacher is a copy of the unpruned architecture, in eval mode, with
    no gradients. It is kept outside the student's module tree: it is not
    in the checkpoints, the optimizer or the DDP wrapper, and is moved to
    the inputs' device on first use.

    Args:
        teacher (nn.Module): the unpruned architecture (trained weights are
            loaded into it by ``load_weights``).
        student (nn.Module): the architecture being pruned.
        forward (Callable): ``forward(model, inputs)`` runs a model far
            enough to produce the distilled output.
        module (str): name of the sub-module whose output is distilled, in
            both networks (e.g. ``'head.fc'``: the logits; ``'neck'``: a
            detector's FPN features).
        loss (str): ``'kl'`` (Hinton's soft-target KL of logits, times T²),
            ``'l1'`` or ``'mse'`` (outputs of equal shape, e.g. the image a
            generator draws, or every level of an FPN, averaged).
            Defaults to 'kl'.
        weight (float): weight of ``loss_distill``. Defaults to 1.0.
        temperature (float): softmax temperature of ``'kl'``.
            Defaults to 4.0.
        during_search (bool): distil during the search too, not only in the
            fine-tune. Defaults to False.
        hook_student (bool): take the student's output from a hook on its
            ``module``; False when the caller passes it to ``loss_from``.
            Defaults to True.
    """

    def __init__(self, teacher: nn.Module, student: nn.Module,
                 forward: Callable, module: str, loss: str = 'kl',
                 weight: float = 1.0, temperature: float = 4.0,
                 during_search: bool = False, hook_student: bool = True):
        self.teacher = teacher.eval().requires_grad_(False)
        self.forward = forward
        self.loss, self.weight = loss, float(weight)
        self.temperature = float(temperature)
        self.during_search = during_search
        self.module = module
        self.hook_student = hook_student
        self._outputs: Dict[str, List[torch.Tensor]] = {}
        self._student = student
        for net in (self.teacher, student):
            self._find(net)  # fail now, not at the first fine-tune step

    def _find(self, net: nn.Module) -> nn.Module:
        # looked up by name at every use: exporting in place may replace a
        # module object (a hook on the old one would keep a stale output)
        target = dict(net.named_modules()).get(self.module)
        if target is None:
            raise SettingsError(f'distill.module {self.module!r} is not a '
                                f'sub-module of {type(net).__name__}')
        return target

    @contextlib.contextmanager
    def capture(self, role: str, net: nn.Module):
        """Keep the output of ``net``'s ``module`` from the forwards run
        inside the ``with`` block."""
        self._outputs.pop(role, None)

        def hook(module, args, output):
            self._outputs[role] = _tensors(output)

        handle = self._find(net).register_forward_hook(hook)
        try:
            yield
        finally:
            handle.remove()

    def student_capture(self):
        """Context for the student's forward of a step (a no-op without
        ``hook_student``)."""
        if not self.hook_student:
            return contextlib.nullcontext()
        return self.capture('student', self._student)

    @classmethod
    def build(cls, architecture: nn.Module, forward: Callable, cfg: dict,
              hook_student: bool = True) -> 'OutputDistiller':
        """A distiller whose teacher is a copy of ``architecture`` as it is
        now (call before the search space gates it)."""
        return cls(copy.deepcopy(architecture), architecture, forward,
                   hook_student=hook_student, **cfg)

    def teacher_output(self, inputs: torch.Tensor) -> List[torch.Tensor]:
        device = inputs.device
        if next(self.teacher.parameters()).device != device:
            self.teacher.to(device)
        self.teacher.eval()
        with torch.no_grad(), self.capture('teacher', self.teacher):
            self.forward(self.teacher, inputs)
        return [t.detach() for t in self._outputs.pop('teacher')]

    def loss_from(self, inputs: torch.Tensor,
                  student=None) -> torch.Tensor:
        """``loss_distill`` after the student has run on ``inputs`` (its
        output ``student``, or the one the hook kept during that forward).
        A module with several outputs (the levels of an FPN) is distilled
        level by level, and the losses are averaged.
        """
        student = self._outputs.pop('student', None) if student is None \
            else _tensors(student)
        if not student:
            raise RuntimeError(f'distill: the student did not run '
                               f'{self.module!r} in this step')
        teacher = self.teacher_output(inputs)
        shapes = [tuple(t.shape) for t in teacher]
        if shapes != [tuple(s.shape) for s in student]:
            raise SettingsError(
                f'distill.module {self.module!r}: teacher output {shapes} vs '
                f'student {[tuple(s.shape) for s in student]}; distil an '
                'output the pruning does not change')
        if self.loss == 'kl' and len(student) > 1:
            raise SettingsError(
                f"distill.loss 'kl' distils logits, but {self.module!r} "
                f"has {len(student)} outputs; use 'mse' or 'l1' for "
                'features')
        losses = [self._loss(s.float(), t.float())
                  for s, t in zip(student, teacher)]
        return self.weight * torch.stack(losses).mean()

    def _loss(self, student: torch.Tensor,
              teacher: torch.Tensor) -> torch.Tensor:
        if self.loss == 'kl':
            t = self.temperature
            return F.kl_div(F.log_softmax(student / t, dim=1),
                            F.log_softmax(teacher / t, dim=1),
                            reduction='batchmean', log_target=True) * t * t
        if self.loss == 'l1':
            return F.l1_loss(student, teacher)
        return F.mse_loss(student, teacher)

    def load_weights(self, loader: Callable[[nn.Module], None]) -> None:
        """Give the teacher the trained weights (``loader(teacher)``)."""
        loader(self.teacher)
        self.teacher.eval().requires_grad_(False)
