# PaS with a measured-latency budget on the MobileNetV2 proxy baseline
# (64x64). Build the table first, where you deploy:
#   python tools/analysis/build_latency_table.py configs/classification/mobilenet_v2/pas_mobilenet-v2_1xb64-4e_proxy-cls_latency-0.5x.py \
#       --batch 32 --out work_dirs/latency/mobilenet-v2_proxy-cls_b32.json
_base_ = ['./pas_mobilenet-v2_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    budget=dict(
        metric='latency',
        table='work_dirs/latency/mobilenet-v2_proxy-cls_b32.json',
        target_ratio=0.5))
