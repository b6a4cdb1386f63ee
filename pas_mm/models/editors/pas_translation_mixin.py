"""PaS for mmagic image-translation GANs: the generators are searched, the
discriminators are left alone.

mmagic models run their own ``train_step`` with one optimizer for the
generators and one for the discriminators. The search space is therefore
built on the ``generators`` ModuleDict itself: its gates are generator
parameters (the generator optimizer trains them, the discriminator's never
sees them) and the budget loss joins the generator loss in
``_get_gen_loss``. Nothing else of mmagic's training step changes.
"""
from pas_mm.core.errors import SettingsError
from ..algorithms.pas_search_mixin import PaSSearchMixin
from ..algorithms.pas_settings import PaSSettings


class PaSTranslationMixin(PaSSearchMixin):
    """Put first in the bases: ``class PaSPix2Pix(PaSTranslationMixin,
    Pix2Pix)``. Takes the mmagic model's own arguments plus the PaS ones.

    Args:
        *args: the mmagic model's positional arguments.
        **kwargs: the mmagic model's keyword arguments, plus the PaS
            arguments of :class:`PaSSettings`. Here ``budget`` is on the
            MACs of all generators together (CycleGAN: both directions),
            ``input_shape`` (default (1, 3, 256, 256)) is one generator
            input, ``trace_mode`` is always ``'each'`` (every generator),
            and ``pretrained`` is a trained checkpoint of the plain mmagic
            model (generators and discriminators).
    """
    PLAIN_TYPE: str = ''

    def __init__(self, *args, **kwargs):
        if 'trace_mode' in kwargs:
            raise SettingsError(f'{type(self).__name__} traces every '
                                'generator; it takes no trace_mode')
        settings = PaSSettings.from_kwargs(
            type(self).__name__, kwargs, strict=False,
            input_shape=(1, 3, 256, 256), trace_mode='each')
        super().__init__(*args, **kwargs)
        self._init_search(self.generators, settings)

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
        arch = {k: v for k, v in model_cfg.items()
                if k not in PaSSettings.names()}
        arch['type'] = cls.PLAIN_TYPE
        return arch, 'generators'
