# PaS with a measured-latency budget on the proxy classification task: the
# same search (1 epoch) + fine-tune (3) as the MACs-budget config, but the
# budget loss is on the latency a table predicts for the kept widths
# (pas_mm/core/cost/latency.py). Build the table first, on the machine and at
# the batch size you deploy on:
#   python tools/analysis/build_latency_table.py configs/classification/resnet/pas_resnet18-w16_1xb64-4e_proxy-cls_latency-0.5x.py \
#       --batch 32 --out work_dirs/latency/resnet18-w16_proxy-cls_b32.json
# configs/benchmark/latency_suite.py builds its tables itself and compares
# this search with the MACs-budget one at equal measured latency.
_base_ = ['./pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    budget=dict(
        metric='latency',
        table='work_dirs/latency/resnet18-w16_proxy-cls_b32.json',
        target_ratio=0.5))
