"""FID / IS without Inception weights: skip them with a clear log line.

FID and IS need Inception weights that mmagic downloads on first use. On a
machine that cannot download them (the CPU demo, an offline node) building
those metrics fails deep inside the evaluator; instead, the tools try each
Inception metric once before the Runner starts and drop the ones that
cannot load, logging why, so the run goes on with the remaining (pixel)
metrics. Where the weights are cached or downloadable nothing changes.
"""
import copy
import socket

INCEPTION_METRICS = ('FID', 'TransFID', 'IS', 'TransIS',
                     'FrechetInceptionDistance', 'InceptionScore')
DOWNLOAD_TIMEOUT_S = 20


def _metric_lists(cfg):
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        if isinstance(evaluator, dict) and 'metrics' in evaluator:
            yield key, evaluator, 'metrics'
        elif isinstance(evaluator, dict) and evaluator.get('type') in \
                INCEPTION_METRICS:
            yield key, cfg, key


def _loads(metric_cfg, cache, log) -> bool:
    from mmagic.registry import METRICS
    key = (metric_cfg.get('type'), metric_cfg.get('inception_style'),
           metric_cfg.get('inception_path'))
    first = key not in cache
    if first:
        old = socket.getdefaulttimeout()
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
        try:
            METRICS.build(copy.deepcopy(metric_cfg))
            cache[key] = None
        except Exception as e:  # no weights and no way to download them
            cache[key] = f'{type(e).__name__}: ' + \
                (str(e).strip().splitlines() or [''])[0][:160]
        finally:
            socket.setdefaulttimeout(old)
    if cache[key] is not None and first:
        name = metric_cfg.get('prefix') or metric_cfg.get('type')
        log(f'pas-mm: {name} ({metric_cfg.get("type")}) skipped: its '
            f'Inception weights cannot be loaded or downloaded here '
            f'({cache[key]}); the other metrics are still computed')
    return cache[key] is None


def drop_unloadable_inception_metrics(cfg, log=print) -> list:
    """Remove FID/IS metrics whose Inception weights cannot be loaded.

    Returns the dropped metric names. Raises ValueError if an evaluator
    would be left with no metric at all.
    """
    cache, dropped = {}, []
    for key, parent, field in _metric_lists(cfg):
        metrics = parent[field]
        single = isinstance(metrics, dict)
        items = [metrics] if single else list(metrics)
        kept = [m for m in items
                if m.get('type') not in INCEPTION_METRICS or
                _loads(m, cache, log)]
        dropped += [m.get('prefix') or m.get('type') for m in items
                    if m not in kept]
        if not kept:
            raise ValueError(f'{key}: every metric needs Inception weights '
                             'that cannot be loaded here; add pixel metrics '
                             '(PSNR, SSIM, MAE) or provide inception_path')
        if len(kept) != len(items):
            parent[field] = kept[0] if single else kept
    return sorted(set(dropped))
