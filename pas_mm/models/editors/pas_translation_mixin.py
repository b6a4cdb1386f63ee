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
from ..utils import load_architecture_weights


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
        forward = None
        if settings.distill is not None:
            domain = settings.distill['module']
            if domain not in self.generators:
                raise SettingsError(
                    f'distill.module must name a generator (a domain: '
                    f'{sorted(self.generators)}), got {domain!r}')
            forward = lambda generators, x: generators[domain](x)  # noqa
        self._init_search(self.generators, settings, distill_forward=forward)

    @property
    def weights_target(self):
        return self  # a plain mmagic checkpoint: generators + discriminators

    def init_weights(self):
        super().init_weights()
        self._init_pas_weights()

    def _load_teacher(self, teacher):
        # a plain mmagic checkpoint holds generators and discriminators
        load_architecture_weights(teacher, self.settings.pretrained,
                                  prefix='generators.')

    def _get_gen_loss(self, outputs):
        loss_g, log_vars = super()._get_gen_loss(outputs)
        extra = {}
        if self.distiller is not None:
            # output KD of the distilled generator: fake_<domain>, drawn
            # from real_<other domain>
            domain = self.settings.distill['module']
            source = self.get_other_domains(domain)[0]
            extra.update(self.distill_losses(outputs[f'real_{source}'],
                                             outputs[f'fake_{domain}']))
        extra.update(self.budget_losses())
        if 'loss_distill' in extra:
            loss_g = loss_g + extra['loss_distill']
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
