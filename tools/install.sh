#!/usr/bin/env bash
# One-command set-up of pas-mm on Linux x86_64 / CPython 3.11 (CPU or GPU machine).
#
#   bash tools/install.sh            # venv in ./.venv (git-ignored)
#
# Environment knobs:
#   VENV=path            where the virtual environment goes (default: <repo>/.venv)
#   PAS_MM_WHEELS=path   cache of the locally built mmcv wheel, outside the repo
#                        (default: ~/.cache/pas-mm/wheels); later runs and CI reuse it
#   FORCE_BUILD_MMCV=1   rebuild mmcv even if the cached wheel exists
#   SKIP_DEMO_DATA=1     do not (re)generate data/demo and data/proxy
#   PYTHON=python3.11    interpreter used to create the venv
#
# mmcv 2.1.0 ships no wheel for torch 2.14, so the first run builds its CPU ops from the sdist:
# about 6-7 minutes on 2 cores. With the cached wheel the whole script takes about 2 minutes,
# and a re-run on an installed venv well under one. It is idempotent and stops at the first
# failing step, naming it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$REPO/.venv}
WHEELS=${PAS_MM_WHEELS:-$HOME/.cache/pas-mm/wheels}
FORCE_BUILD_MMCV=${FORCE_BUILD_MMCV:-0}
PY=${PYTHON:-python3}
REQ=$REPO/requirements
CONS=$REQ/constraints.txt
MMCV_WHL=mmcv-2.1.0-cp311-cp311-linux_x86_64.whl

CURRENT_STEP="start"
trap 'echo "install.sh: FAILED at step: $CURRENT_STEP" >&2' ERR
t_all=$SECONDS
step() { CURRENT_STEP="$*"; echo; echo "=== [$(date +%T)] $*"; }

step "1/8 virtual environment $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11), "pas-mm needs CPython 3.11, got " + sys.version'
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

step "2/8 torch 2.14.1 + torchvision 0.29.1, build tools"
"${PIP[@]}" install -q -c "$CONS" -r "$REQ/build.txt" torch==2.14.1 torchvision==0.29.1

step "3/8 mmcv 2.1.0 with CPU ops (cached wheel: $WHEELS/$MMCV_WHL)"
mkdir -p "$WHEELS"
if [ "$FORCE_BUILD_MMCV" != 1 ] && [ -f "$WHEELS/$MMCV_WHL" ]; then
  echo "reusing cached wheel"
else
  BUILD=$(mktemp -d -t pas-mm-mmcv.XXXXXX)
  ( cd "$BUILD"
    "${PIP[@]}" download -q --no-deps --no-binary :all: -d . mmcv==2.1.0
    tar xzf mmcv-2.1.0.tar.gz
    # torch >= 2.10 headers require C++20; mmcv 2.1.0 hard-codes -std=c++17.
    sed -i 's/-std=c++17/-std=c++20/g' mmcv-2.1.0/setup.py
    # CFLAGS replaces Python's defaults, so keep -O3 and only drop debug info (-g0).
    env MMCV_WITH_OPS=1 FORCE_CUDA=0 CUDA_VISIBLE_DEVICES= MAX_JOBS=${MAX_JOBS:-2} \
        CFLAGS="-DNDEBUG -g0 -fwrapv -O3 -Wall" \
        "${PIP[@]}" wheel -q --no-build-isolation --no-deps -w dist ./mmcv-2.1.0
    "$VENV/bin/python" -m wheel unpack -d unpacked "dist/$MMCV_WHL"
    strip --strip-debug unpacked/mmcv-2.1.0/mmcv/_ext*.so
    mkdir -p repacked && "$VENV/bin/python" -m wheel pack -d repacked unpacked/mmcv-2.1.0
    # atomic: a half-copied wheel must never be mistaken for a cached one
    cp "repacked/$MMCV_WHL" "$WHEELS/$MMCV_WHL.tmp" && mv "$WHEELS/$MMCV_WHL.tmp" "$WHEELS/$MMCV_WHL" )
  rm -rf "$BUILD"
fi
"${PIP[@]}" install -q -c "$CONS" "$WHEELS/$MMCV_WHL" mmengine==0.10.7 opencv-python

step "4/8 mmdet 3.3.0 + mmpretrain 1.2.0"
"${PIP[@]}" install -q -c "$CONS" mmdet==3.3.0 mmpretrain==1.2.0

step "5/8 mmagic 1.2.0 (--no-deps) + the modules it imports"
"${PIP[@]}" install -q -c "$CONS" --no-deps mmagic==1.2.0
"${PIP[@]}" install -q -c "$CONS" -r "$REQ/mmagic.txt"

step "6/8 pas-mm (editable) + runtime, deploy, test, docs, optional and benchmark requirements"
"${PIP[@]}" install -q -c "$CONS" -r "$REQ/runtime.txt" -r "$REQ/deploy.txt" -r "$REQ/tests.txt" -r "$REQ/docs.txt" -r "$REQ/optional.txt" -r "$REQ/benchmark.txt"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$REPO"

step "7/8 import check"
"$VENV/bin/python" - <<'PY'
import torch, mmengine, mmcv, mmdet, mmpretrain, mmagic, pas_mm
from mmcv.ops import nms
b = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60.]])
assert nms(b, torch.tensor([.9, .8, .7]), 0.5)[1].tolist() == [0, 2], 'mmcv CPU ops broken'
import mmagic.models, mmagic.datasets, mmdet.models, mmpretrain.models  # noqa: F401
print('torch', torch.__version__, '| mmengine', mmengine.__version__, '| mmcv', mmcv.__version__,
      '| mmdet', mmdet.__version__, '| mmpretrain', mmpretrain.__version__,
      '| mmagic', mmagic.__version__, '| pas_mm', pas_mm.__version__)
PY

step "8/8 demo and proxy benchmark data (data/demo, data/proxy)"
if [ "${SKIP_DEMO_DATA:-0}" != 1 ]; then
  "$VENV/bin/python" "$REPO/tools/data/prepare_demo.py" --out "$REPO/data/demo"
  "$VENV/bin/python" "$REPO/tools/data/prepare_proxy.py" --out "$REPO/data/proxy"
fi

CURRENT_STEP="done"
echo
echo "=== pas-mm installed in $VENV ($((SECONDS - t_all)) s). Activate with: source $VENV/bin/activate"
