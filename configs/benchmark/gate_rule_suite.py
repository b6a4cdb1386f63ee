# The gate-rule comparison (docs/search_diagnostics.md): the equilibrium
# rule against the descent-only rule, beside
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
#       --split val --out docs/artifacts/search_diagnostics/val
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
            # 'pas' is the equilibrium rule (the default when this ran;
            # it lost, and the default went back to the descent), at
            # stiffness 5 (then read from the config's budget weight)
            'pas': dict(
                config=PAS,
                options=[f'{HOOK}gate_optimizer.rule=equilibrium',
                         f'{HOOK}gate_optimizer.stiffness=5.0']),
            # the descent alone: the rule before, now the default again
            # (its first-step calibration is stiffness 1)
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
