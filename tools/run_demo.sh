#!/usr/bin/env bash
# pas-mm's main job on the demo data (a few minutes on 2 CPU cores):
#   1. train the plain classification baseline (ResNet-18-w16, digits)
#   2. PaS: search the widths at 50 % MACs, freeze the gates, fine-tune
#   3. export the compact model (sliced weights, width spec, config)
#   4. test baseline and compact model with tools/test.py
# Usage: bash tools/run_demo.sh [WORK_DIR]   (default work_dirs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python
WORK=${1:-work_dirs/demo}
BASE=configs/classification/resnet/resnet18-w16_demo.py
PAS=configs/classification/resnet/pas_resnet18-w16_demo.py

[ -f data/demo/VERSION ] || "$PY" tools/data/prepare_demo.py --out data/demo
echo "== 1/4 baseline"
[ -f "$WORK/baseline/epoch_12.pth" ] || \
  "$PY" tools/train.py "$BASE" --work-dir "$WORK/baseline"
"$PY" tools/test.py "$BASE" "$WORK/baseline/epoch_12.pth" --work-dir "$WORK/baseline"
echo "== 2/4 PaS search + fine-tune"
"$PY" tools/train.py "$PAS" --work-dir "$WORK/pas" \
  --cfg-options model.pretrained="$WORK/baseline/epoch_12.pth"
echo "== 3/4 export"
"$PY" tools/export.py "$PAS" "$WORK/pas/epoch_9.pth" --out "$WORK/pas/compact"
echo "== 4/4 test the compact model"
"$PY" tools/test.py "$WORK/pas/compact/config.py" "$WORK/pas/compact/compact.pth" \
  --work-dir "$WORK/pas/compact"
"$PY" - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
base = json.load(open(f'{w}/baseline/test_metrics.json'))['metrics']
comp = json.load(open(f'{w}/pas/compact/test_metrics.json'))['metrics']
spec = json.load(open(f'{w}/pas/compact/width_spec.json'))
m = spec['macs']
print(f"baseline top-1 {base['accuracy/top1']:.2f} | PaS compact top-1 "
      f"{comp['accuracy/top1']:.2f} at {m['compact'] / 1e6:.2f}M / "
      f"{m['full'] / 1e6:.2f}M MACs (ratio {m['ratio']:.3f})")
PY
