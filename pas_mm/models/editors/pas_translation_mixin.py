"""PaS for mmagic image-translation GANs: the generators are searched, the
discriminators are left alone.

mmagic models run their own ``train_step`` with one optimizer for the
generators and one for the discriminators. The search space is therefore
built on the ``generators`` ModuleDict itself: its gates are generator
parameters (the generator optimizer trains them, the discriminator's never
sees them) and the budget loss joins the generator loss in
``_get_gen_loss``. Nothing else of mmagic's training step changes.
"""
from typing import Optional, Sequence

from ..algorithms.pas_search_mixin import PaSSearchMixin

PAS_ARGS = ('budget', 'input_shape', 'exclude', 'min_channels', 'round_to',
            'min_ratio', 'pretrained', 'criterion', 'transfer')


class PaSTranslationMixin(PaSSearchMixin):
    """Put first in the bases: ``class PaSPix2Pix(PaSTranslationMixin,
    Pix2Pix)``. Takes the mmagic model's own arguments plus the PaS ones.

    Args:
        budget: ``dict(target_ratio, weight, mode)`` on the MACs of all
            generators together (CycleGAN: both directions).
        input_shape: (1, C, H, W) of one generator input for the trace.
        exclude / min_channels / round_to / min_ratio / criterion /
        transfer /
        pretrained: as for ``PaSAlgorithm``; ``pretrained`` is a trained
            checkpoint of the plain mmagic model (generators and
            discriminators).
    """
    PLAIN_TYPE: str = ''

    def __init__(self, *args, budget: Optional[dict] = None,
                 input_shape: Sequence[int] = (1, 3, 256, 256),
                 exclude: Sequence[str] = (), min_channels: int = 1,
                 round_to: int = 1, min_ratio: float = 0.1,
                 pretrained: Optional[str] = None,
                 criterion: str = 'pas', transfer: Optional[dict] = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._init_search(
            self.generators, budget=budget, input_shape=input_shape,
            trace_mode='each', exclude=exclude, min_channels=min_channels,
            round_to=round_to, min_ratio=min_ratio, pretrained=pretrained,
            criterion=criterion, transfer=transfer)

    @property
    def weights_target(self):
        return self  # a plain mmagic checkpoint: generators + discriminators

    def init_weights(self):
        super().init_weights()
        self._init_pas_weights()

    def _get_gen_loss(self, outputs):
        loss_g, log_vars = super()._get_gen_loss(outputs)
        extra = self.budget_losses()
        loss_g = loss_g + extra['loss_budget']
        log_vars.update({k: v.detach() for k, v in extra.items()})
        if 'loss' in log_vars:
            # as in mmpretrain/mmdet: the logged loss includes loss_budget
            log_vars['loss'] = loss_g.detach()
        return loss_g, log_vars

    @classmethod
    def plain_model_cfg(cls, model_cfg: dict):
        arch = {k: v for k, v in model_cfg.items() if k not in PAS_ARGS}
        arch['type'] = cls.PLAIN_TYPE
        return arch, 'generators'
