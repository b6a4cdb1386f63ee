# The gate-rule comparison (docs/search_diagnostics.md): the equilibrium
# rule (the default) against the descent-only rule it replaces, beside
# uniform, L1 and random widths, on the proxy classification task at 25 %
# and 10 % of the MACs, 3 seeds, on the val split only (the decision is
# taken there; nothing is evaluated on test). The protocol and the
# decision rule were written in docs/search_diagnostics.md before any run.
# It starts from the proxy suite's baseline checkpoint, so train that
# first (run_suite.py configs/benchmark/proxy_suite.py --only
# classification trains it, or tools/train.py with its baseline config):
#   python tools/benchmark/run_suite.py configs/benchmark/gate_rule_suite.py \
#       --work-dir work_dirs/gate_rule --jobs 2
#   python tools/analysis/benchmark_report.py work_dirs/gate_rule \
#       --split val --out docs/search_diagnostics/val
_base_ = ['./proxy_suite.py']
_cls = _base_.tasks[0]
PAS = _cls.methods['pas']
HOOK = 'custom_hooks.0.'
tasks = [
    dict(
        _cls,
        baseline=dict(
            _cls.baseline,
            checkpoint='work_dirs/proxy/classification/baseline/'
            'epoch_30.pth'),
        methods={
            # the shipped PaS config: equilibrium rule, stiffness 5
            'pas': PAS,
            # the rule before: descent only; stiffness 1 is its calibration
            # (it overwrote the configured weight at the first step)
            'pas-descent': dict(
                config=PAS,
                options=[f'{HOOK}gate_optimizer.rule=descent',
                         'model.budget.weight=1.0']),
            'uniform': _cls.methods['uniform'],
            'l1': _cls.methods['l1'],
            'random': _cls.methods['random'],
        },
        budgets=[0.25, 0.1],
        seeds=[0, 1, 2],
        test_split=False),
]
