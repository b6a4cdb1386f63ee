"""Ends the PaS search at a set epoch or iteration by freezing the gates."""
import hashlib
import json
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from pas_mm.core.width_spec import atomic_write_text, make_width_spec
from pas_mm.registry import HOOKS


def unwrap(model):
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class PaSSearchHook(Hook):
    """Search for ``search_epochs`` (or ``search_iters``), then freeze.

    While searching it logs the MACs ratio and the widths of every group;
    at the end it writes ``<work_dir>/pas_search/width_spec.json`` (the
    searched architecture, usable by ``apply_width_spec`` and transfer
    configs) and ``widths.json``. Training then goes on as the fine-tune
    with frozen gates. On ``--resume`` past the search the gates are frozen
    again before the first step.

    At the end of the search the cut is moved onto the budget
    (``project_to_budget``, default on): all latents are shifted by one
    scalar until the MACs ratio is within ``budget_tolerance`` (relative) of
    the target, keeping the ranking of channels that the search found.

    With ``export_after_search=True`` the model is sliced to its searched
    widths right after the search (``PaSAlgorithm.export_inplace``), so the
    fine-tune runs on the compact network; checkpoints then hold the compact
    weights and the width spec, and resume / export / test rebuild it.
    """
    priority = 'NORMAL'

    def __init__(self, search_epochs: Optional[int] = None,
                 search_iters: Optional[int] = None,
                 export_after_search: bool = False,
                 project_to_budget: bool = True,
                 budget_tolerance: float = 0.01):
        if (search_epochs is None) == (search_iters is None):
            raise ValueError('PaSSearchHook needs exactly one of '
                             'search_epochs and search_iters')
        self.search_epochs = search_epochs
        self.search_iters = search_iters
        self.export_after_search = export_after_search
        self.project_to_budget = project_to_budget
        self.budget_tolerance = budget_tolerance

    def _algorithm(self, runner):
        model = unwrap(runner.model)
        if not hasattr(model, 'space'):
            raise TypeError('PaSSearchHook needs a PaS model (PaSAlgorithm '
                            f'or a PaS GAN), got {type(model).__name__}')
        return model

    def before_train(self, runner):
        model = self._algorithm(runner)
        done = (self.search_epochs is not None and
                runner.epoch >= self.search_epochs) or \
            (self.search_iters is not None and
             runner.iter >= self.search_iters)
        if done and not model.space.frozen:
            model.space.freeze()
            runner.logger.info('PaS: resumed after the search; gates frozen')
        if (self.search_epochs == 0 or self.search_iters == 0) and \
                model.compact_spec is None:
            # nothing to search (baseline criteria, transferred widths)
            model.space.freeze()
            self._write_spec(runner, model.space)
            if self.export_after_search:
                self._export(runner, model)
                return
        if model.compact_spec is not None and is_model_wrapper(runner.model):
            self._rewrap(runner)  # DDP was built around the full-size model

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.search_iters is not None and \
                runner.iter + 1 == self.search_iters:
            self.end_search(runner)

    def after_train_epoch(self, runner):
        model = self._algorithm(runner)
        if not model.space.frozen and model.compact_spec is None:
            runner.logger.info(
                f'PaS epoch {runner.epoch + 1}: MACs ratio '
                f'{model.space.macs_ratio():.4f}, widths '
                f'{json.dumps(model.space.widths())}')
        if self.search_epochs is not None and \
                runner.epoch + 1 == self.search_epochs:
            self.end_search(runner)

    def end_search(self, runner):
        model = self._algorithm(runner)
        space = model.space
        if space.frozen or model.compact_spec is not None:
            return
        space.freeze()
        if self.project_to_budget:
            before = space.macs_ratio()
            shift = space.project_to_budget(
                model.budget['target_ratio'], self.budget_tolerance,
                hinge=model.budget['mode'] == 'hinge')
            if shift:
                runner.logger.info(
                    f'PaS: MACs ratio {before:.4f} -> '
                    f'{space.macs_ratio():.4f} by shifting every latent by '
                    f'{shift:+.4f} (budget projection)')
        runner.logger.info(
            f'PaS: search ended at epoch {runner.epoch + 1}, iter '
            f'{runner.iter + 1}; MACs ratio {space.macs_ratio():.4f} '
            f'(target {model.budget["target_ratio"]}); gates frozen, '
            'fine-tuning')
        self._check_ranks_agree(runner, space)
        self._write_spec(runner, space)
        if self.export_after_search:
            self._export(runner, model)

    @staticmethod
    def _check_ranks_agree(runner, space):
        """Every rank must end the search with the same masks (DDP keeps
        the latents in sync; a divergence would export different nets)."""
        from mmengine.dist import all_gather_object, get_world_size
        keep = {n: g.kept_indices().tolist() for n, g in space.gates.items()}
        digest = hashlib.sha1(json.dumps(keep, sort_keys=True).encode()
                              ).hexdigest()[:16]
        world = get_world_size()
        if world > 1:
            digests = all_gather_object(digest)
            if len(set(digests)) != 1:
                raise RuntimeError(f'PaS: ranks disagree on the searched '
                                   f'masks (digests {digests})')
            runner.logger.info(f'PaS: masks identical on all {world} ranks '
                               f'(digest {digest})')
        else:
            runner.logger.info(f'PaS: mask digest {digest}')

    def _export(self, runner, model):
        spec = model.export_inplace()
        _drop_stale_optimizer_state(runner.optim_wrapper)
        if is_model_wrapper(runner.model):
            self._rewrap(runner)
        runner.logger.info(
            'PaS: exported in place; fine-tuning the compact model '
            f"({spec['macs']['compact'] / 1e6:.2f}M of "
            f"{spec['macs']['full'] / 1e6:.2f}M MACs per sample)")

    @staticmethod
    def _write_spec(runner, space):
        if runner.rank != 0:
            return
        keep = {n: g.kept_indices() for n, g in space.gates.items()}
        folder = osp.join(runner.work_dir, 'pas_search')
        atomic_write_text(osp.join(folder, 'width_spec.json'),
                          json.dumps(make_width_spec(space, keep), indent=1))
        atomic_write_text(osp.join(folder, 'widths.json'),
                          json.dumps(space.widths(), indent=1))

    @staticmethod
    def _rewrap(runner):
        """A new DDP wrapper: the old one bucketed the full-size params."""
        model = unwrap(runner.model)
        runner.model = runner.wrap_model(runner.cfg.get('model_wrapper_cfg'),
                                         model)


def _drop_stale_optimizer_state(optim_wrapper):
    """Momentum buffers of sliced params no longer fit: restart them."""
    wrappers = optim_wrapper.values() if hasattr(optim_wrapper, 'values') \
        else [optim_wrapper]
    for wrapper in wrappers:
        state = wrapper.optimizer.state
        for param in list(state):
            if any(isinstance(v, torch.Tensor) and v.dim() > 0 and
                   v.shape != param.shape for v in state[param].values()):
                del state[param]
