#!/usr/bin/env bash
# One-shot check of the real recipes on one GPU (at most ~8 minutes on an
# H100/H200); prints one table and writes OUT/gpu_check.json:
#   P1/P8  gated / plain training-step time, ResNet-50 224^2 batch 64, AMP
#   P6     masked full-size / exported compact fine-tune step time
#   P5     compact / plain latency and MACs ratio, demo nets + ResNet-50 @50 %
#   30 iterations of each real recipe on synthetic data of the real
#          resolution through tools/dist_train.sh with 1 GPU: step time,
#          images/s, peak memory
# Usage: bash tools/benchmark/gpu_check.sh [--device cuda|cpu] [--tiny]
#            [--out DIR]
# --device cpu --tiny runs the same steps at toy sizes in about a minute
# (the tests run it, so the script cannot rot).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python
export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$PY" tools/benchmark/gpu_check.py "$@"
