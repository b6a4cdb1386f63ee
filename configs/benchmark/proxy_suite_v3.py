# Benchmark v3 (docs/benchmark.md, protocol v3): v2 on test with PaS's
# default since protocol C of docs/search_evidence.md, the own-layer cost
# attribution. Everything else is v2's (configs/benchmark/proxy_suite_v2.py):
# tasks, budgets, schedules, seeds, equal MACs, timing. Added rows:
# 'pas-marginal' (v2's rule) on every task; on classification
# 'pas-original' (the original rule at the pipeline's 339 search steps)
# and 'pas-original-2.7k' (2,712 steps: the search epochs at batch 8).
# The ResNet-18-w16 and RepVGG-mini rows that measure (a) of protocols B
# and C ran (val only, the same pipeline and baselines) are adopted into
# the work dir under v3's names and evaluated on test here; the suite
# runs the rest.
#   python tools/benchmark/run_suite.py configs/benchmark/proxy_suite_v3.py \
#       --work-dir work_dirs/proxy_v3 --jobs 2 --only 'classification/*'
#   python tools/analysis/benchmark_report.py work_dirs/proxy_v3 \
#       --out docs/artifacts/benchmark/v3 --carry-over docs/artifacts/benchmark/v3
_base_ = ['./proxy_suite_v2.py']

MARGINAL = ['model.budget.attribution=marginal']
_cls, _vgg, _det, _gan = _base_.tasks


def _pas(methods, original=None):
    """v2's methods with 'pas' (and 'pas+kd') at the default, and
    'pas-marginal' (v2's rule) beside them; ``original``: the configs of
    'pas-original' (339 search steps) and 'pas-original-2.7k' (2,712)."""
    out = dict(methods)
    out['pas-marginal'] = dict(out['pas'])
    for name in ('pas', 'pas+kd'):
        if name in out:
            out[name] = dict(out[name], options=[])
    if original:
        out['pas-original'], out['pas-original-2.7k'] = original
    return out


_R18_ORIGINAL = tuple(
    'configs/classification/resnet/pas-original_resnet18-w16_'
    f'1xb64-15e{search}_proxy-cls_flops-0.25x.py'
    for search in ('', '-b8-search'))
_VGG_ORIGINAL = tuple(
    'configs/classification/repvgg/pas-original_repvgg-mini_'
    f'1xb64-15e{search}_proxy-cls_flops-0.25x.py'
    for search in ('', '-b8-search'))
tasks = [
    dict(_cls, methods=_pas(_cls.methods, _R18_ORIGINAL)),
    dict(_vgg, methods=_pas(_vgg.methods, _VGG_ORIGINAL)),
    dict(_det, methods=_pas(_det.methods)),
    dict(_gan, methods=_pas(_gan.methods)),
]
