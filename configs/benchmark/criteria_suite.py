# PaS vs. the baseline pruning criteria (uniform, BN-gamma, L1) on the
# classification demo, 3 seeds per method and budget, all from one trained
# baseline:
#   python tools/benchmark/run_suite.py configs/benchmark/criteria_suite.py \
#       --work-dir work_dirs/criteria
#   python tools/analysis/cross_task_report.py work_dirs/criteria
# Every finished step leaves a marker, so an interrupted run resumes.
_base_ = ['./demo_suite.py']

# the demo suite's classification task (baseline, the four methods, shape),
# at two budgets and three seeds
tasks = [dict(_base_.tasks[0], budgets=[0.5, 0.25], seeds=[0, 1, 2])]
