#!/usr/bin/env bash
# pas-mm's main job on the demo data (about 4 minutes on 2 CPU cores), for a
# ResNet-18 and a RepVGG on the 10-class digits:
#   1. train the plain baseline
#   2. PaS: search the per-layer widths at 50 % MACs, freeze, fine-tune
#   3. export the compact model (sliced weights, width spec, config;
#      RepVGG blocks merged into single 3x3 convs)
#   4. test baseline and compact model with tools/test.py
# Usage: bash tools/run_demo.sh [WORK_DIR] [ARCH ...]
#        (default work_dirs/demo, archs resnet repvgg)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python
WORK=${1:-work_dirs/demo}
shift || true
ARCHS=${*:-resnet repvgg}

[ -f data/demo/VERSION ] || "$PY" tools/data/prepare_demo.py --out data/demo
for ARCH in $ARCHS; do
  case $ARCH in
    resnet) BASE=configs/classification/resnet/resnet18-w16_demo.py
            PAS=configs/classification/resnet/pas_resnet18-w16_demo.py ;;
    repvgg) BASE=configs/classification/repvgg/repvgg-tiny_demo.py
            PAS=configs/classification/repvgg/pas_repvgg-tiny_demo.py ;;
    *) echo "run_demo.sh: unknown arch '$ARCH' (resnet or repvgg)" >&2; exit 2 ;;
  esac
  W="$WORK/$ARCH"
  echo "== [$ARCH] 1/4 baseline"
  [ -f "$W/baseline/epoch_12.pth" ] || \
    "$PY" tools/train.py "$BASE" --work-dir "$W/baseline"
  "$PY" tools/test.py "$BASE" "$W/baseline/epoch_12.pth" --work-dir "$W/baseline"
  echo "== [$ARCH] 2/4 PaS search + fine-tune"
  "$PY" tools/train.py "$PAS" --work-dir "$W/pas" \
    --cfg-options model.pretrained="$W/baseline/epoch_12.pth"
  echo "== [$ARCH] 3/4 export"
  "$PY" tools/export.py "$PAS" "$W/pas/epoch_9.pth" --out "$W/pas/compact"
  echo "== [$ARCH] 4/4 test the compact model"
  "$PY" tools/test.py "$W/pas/compact/config.py" "$W/pas/compact/compact.pth" \
    --work-dir "$W/pas/compact"
done
"$PY" - "$WORK" $ARCHS <<'PY'
import json, sys
work, archs = sys.argv[1], sys.argv[2:]
for arch in archs:
    w = f'{work}/{arch}'
    base = json.load(open(f'{w}/baseline/test_metrics.json'))['metrics']
    comp = json.load(open(f'{w}/pas/compact/test_metrics.json'))['metrics']
    m = json.load(open(f'{w}/pas/compact/width_spec.json'))['macs']
    print(f"{arch}: baseline top-1 {base['accuracy/top1']:.2f} | PaS compact "
          f"top-1 {comp['accuracy/top1']:.2f} at {m['compact'] / 1e6:.2f}M / "
          f"{m['full'] / 1e6:.2f}M MACs (ratio {m['ratio']:.3f})")
PY
