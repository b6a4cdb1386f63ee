"""Two gaps between mmagic 1.2.0's translation models and its own metrics.

1. ``Pix2Pix.test_step`` does ``data_samples[idx]`` on the batched
   ``DataSample`` without the ``data_samples.split()`` that ``val_step`` has,
   so ``tools/test.py`` of any Pix2Pix config fails with "'DataSample' object
   is not subscriptable" (mmagic 1.2.0 pix2pix.py; no upstream issue found).
   Both methods are documented to do the same, so testing reuses val_step.
2. The sample-wise metrics (PSNR, SSIM, MAE: ``BaseSampleWiseMetric``) read
   the prediction from ``sample['output']``, but Pix2Pix and CycleGAN put it
   at ``sample.fake_<domain>``, so those metrics raise ``KeyError: 'output'``.
   The wrapped steps also store the fake images under ``output``.

Installed files are untouched; the methods are re-bound on the classes.
"""


def _with_output(step):

    def wrapped(self, data):
        from mmagic.structures import DataSample
        samples = step(self, data)
        for sample in samples:
            fakes = {k: sample.get(k) for k in sample.keys()
                     if k.startswith('fake_')}
            if fakes and 'output' not in sample:
                sample.output = DataSample(**fakes)
        return samples

    wrapped._pas_mm_patched = True
    return wrapped


def patch_translation_steps() -> bool:
    try:
        from mmagic.models.editors.cyclegan.cyclegan import CycleGAN
        from mmagic.models.editors.pix2pix.pix2pix import Pix2Pix
    except ImportError:
        return False
    if getattr(Pix2Pix.val_step, '_pas_mm_patched', False):
        return True
    pix2pix_val = Pix2Pix.val_step
    Pix2Pix.val_step = _with_output(pix2pix_val)
    Pix2Pix.test_step = _with_output(pix2pix_val)
    CycleGAN.val_step = _with_output(CycleGAN.val_step)
    CycleGAN.test_step = _with_output(CycleGAN.test_step)
    return True
