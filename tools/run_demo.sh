#!/usr/bin/env bash
# pas-mm's main job on the demo data, per model (2 CPU cores): ResNet-18 and
# RepVGG on the 10-class digits (about 2 minutes each; the default),
# Mask R-CNN R-50-FPN on the COCO-format demo (about 20 minutes) and Pix2Pix
# on the edges -> photo pairs (about 5 minutes):
#   1. train the plain baseline
#   2. PaS: search the per-layer widths at 50 % MACs, freeze, fine-tune
#   3. export the compact model (sliced weights, width spec, config;
#      RepVGG blocks merged into single 3x3 convs)
#   4. test baseline and compact model with tools/test.py
# Usage: bash tools/run_demo.sh [WORK_DIR] [ARCH ...]
#        (default work_dirs/demo, archs resnet repvgg; also mask-rcnn pix2pix)
# The cross-task suite (all tasks, baseline criteria, transfer, MACs,
# latency, one report) is tools/benchmark/run_suite.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python
WORK=${1:-work_dirs/demo}
shift || true
ARCHS=${*:-resnet repvgg}
RUNS=()

[ -f data/demo/VERSION ] || "$PY" tools/data/prepare_demo.py --out data/demo
for ARCH in $ARCHS; do
  case $ARCH in
    resnet) BASE=configs/classification/resnet/resnet18-w16_1xb64_demo-cls.py
            PAS=configs/classification/resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py
            BASE_CKPT=epoch_12.pth; PAS_CKPT=epoch_9.pth ;;
    repvgg) BASE=configs/classification/repvgg/repvgg-tiny_1xb64_demo-cls.py
            PAS=configs/classification/repvgg/pas_repvgg-tiny_1xb64_demo-cls_flops-0.5x.py
            BASE_CKPT=epoch_12.pth; PAS_CKPT=epoch_9.pth ;;
    mask-rcnn) BASE=configs/instance_segmentation/mask_rcnn/mask-rcnn_r50_fpn_1xb4_demo-coco.py
            PAS=configs/instance_segmentation/mask_rcnn/pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py
            BASE_CKPT=epoch_4.pth; PAS_CKPT=epoch_3.pth ;;
    pix2pix) BASE=configs/image_translation/pix2pix/pix2pix_unet-w32_1xb4_demo-edges2photo.py
            PAS=configs/image_translation/pix2pix/pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x.py
            BASE_CKPT=iter_480.pth; PAS_CKPT=iter_480.pth ;;
    *) echo "run_demo.sh: unknown arch '$ARCH' (resnet, repvgg, mask-rcnn or pix2pix)" >&2; exit 2 ;;
  esac
  W="$WORK/$ARCH"
  RUNS+=("$ARCH=$BASE=$PAS")
  echo "== [$ARCH] 1/4 baseline"
  [ -f "$W/baseline/$BASE_CKPT" ] || \
    "$PY" tools/train.py "$BASE" --work-dir "$W/baseline"
  "$PY" tools/test.py "$BASE" "$W/baseline/$BASE_CKPT" --work-dir "$W/baseline"
  echo "== [$ARCH] 2/4 PaS search + fine-tune"
  "$PY" tools/train.py "$PAS" --work-dir "$W/pas" \
    --cfg-options model.pretrained="$W/baseline/$BASE_CKPT"
  echo "== [$ARCH] 3/4 export"
  "$PY" tools/export.py "$PAS" "$W/pas/$PAS_CKPT" --out "$W/pas/compact"
  echo "== [$ARCH] 4/4 test the compact model"
  "$PY" tools/test.py "$W/pas/compact/config.py" "$W/pas/compact/compact.pth" \
    --work-dir "$W/pas/compact"
done
"$PY" - "$WORK" "${RUNS[@]}" <<'PY'
import sys
from pas_mm.apis.demo_results import write_demo_results
print('\n'.join(write_demo_results(sys.argv[1], sys.argv[2:])))
print(f'figures written to {sys.argv[1]}/results.json')
PY
