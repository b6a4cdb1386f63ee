"""The search's own batch size: a second data loader over the same dataset
and sampler, for the search epochs only (``PaSSearchHook``'s
``search_batch_size``).

The original PaS searches many more steps than it fine-tunes per sample
seen; a smaller search batch buys steps without more samples.
"""
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import BatchSampler, DataLoader


def rebatched(loader: DataLoader, batch_size: int) -> DataLoader:
    """A data loader like ``loader`` that yields batches of ``batch_size``.

    It shares ``loader``'s dataset, sampler (so mmengine's seeding of the
    sampler's epoch reaches both), collate function and worker settings.
    A custom batch sampler (mmdet's aspect-ratio grouping) is rebuilt with
    its own class.

    Args:
        loader (DataLoader): the training loader of the config.
        batch_size (int): the search's batch size.

    Returns:
        DataLoader: the search's loader.
    """
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError('search_batch_size must be a positive integer, '
                         f'got {batch_size!r}')
    old = loader.batch_sampler
    if old is None:
        raise ValueError('search_batch_size needs a batched training loader '
                         '(its batch_sampler is None)')
    if type(old) is BatchSampler:
        batches = BatchSampler(old.sampler, int(batch_size), old.drop_last)
    else:
        try:
            batches = type(old)(old.sampler, batch_size=int(batch_size),
                                drop_last=old.drop_last)
        except (TypeError, AttributeError) as err:
            raise ValueError(
                'search_batch_size cannot rebuild the training loader\'s '
                f'batch sampler {type(old).__name__} ({err})') from err
    workers = loader.num_workers
    extra = dict(persistent_workers=loader.persistent_workers,
                 prefetch_factor=loader.prefetch_factor) if workers else {}
    return DataLoader(
        loader.dataset, batch_sampler=batches, num_workers=workers,
        collate_fn=loader.collate_fn, pin_memory=loader.pin_memory,
        timeout=loader.timeout, worker_init_fn=loader.worker_init_fn,
        multiprocessing_context=loader.multiprocessing_context,
        generator=loader.generator, **extra)


def swap_in_search_loader(runner, model, batch_size: int,
                          search_epochs: int) -> DataLoader:
    """Make the runner's train loop search at ``batch_size``.

    The loop's length then counts ``search_epochs`` at that size and the
    rest at the config's. The caller puts the returned loader back when
    the search ends.

    Args:
        runner (Runner): the runner, before its first search iteration.
        model (nn.Module): the runner's model, unwrapped.
        batch_size (int): the search's batch size.
        search_epochs (int): epochs of search.

    Returns:
        DataLoader: the config's training loader.
    """
    loop = runner.train_loop
    if not isinstance(loop, EpochBasedTrainLoop):
        raise ValueError('PaSSearchHook: search_batch_size needs an '
                         f'epoch-based train loop, got {type(loop).__name__}')
    config_loader = loop.dataloader
    loop.dataloader = rebatched(config_loader, batch_size)
    # mmengine 0.10.7 fixes the loop's length at build time (epochs x
    # batches); the logger's ETA reads it
    loop._max_iters = search_epochs * len(loop.dataloader) + (
        loop.max_epochs - search_epochs) * len(config_loader)
    # gradient accumulation's last partial window counts to it
    runner.optim_wrapper.initialize_count_status(model, loop.iter,
                                                 loop.max_iters)
    if _iteration_schedulers(runner.param_schedulers):
        runner.logger.warning(
            'PaS: an iteration-based lr scheduler was laid out at the '
            "config's batch size; with search_batch_size its iterations "
            'no longer fall on the same epochs')
    runner.logger.info(
        f'PaS: searching at batch {batch_size} ({len(loop.dataloader)} '
        "iterations an epoch); the fine-tune returns to the config's "
        f'({len(config_loader)} an epoch)')
    return config_loader


def _iteration_schedulers(schedulers) -> list:
    """The parameter schedulers that step by iteration."""
    if isinstance(schedulers, dict):
        schedulers = [s for group in schedulers.values() for s in group]
    return [s for s in schedulers or [] if not s.by_epoch]
