#!/usr/bin/env bash
# Protocol A of docs/search_evidence.md, as it was run: two workers, one
# thread each. The baseline is configs/classification/resnet/
# resnet18-w16_1xb64-30e_proxy-cls.py trained alone (2 threads).
#   bash docs/artifacts/search_evidence/step_count/run.sh BASELINE.pth [OUT]
# (The scratch runs were reordered by hand during the run: the 22,500-step
# widths first; every step is resumable.)
set -u
cd "$(dirname "$0")/../../../.."
PY=.venv/bin/python
R=configs/classification/resnet
BASE=$1
OUT=${2:-work_dirs/step_count}
DONE=docs/artifacts/search_evidence/step_count
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
search() {  # name config epochs control(0/1)
  local kind=$([ "$4" = 1 ] && echo control || echo search)
  local wd=$OUT/$1/$kind
  [ -f $wd/pas_search/gate_diagnostics.json ] && return 0
  # committed: the search ran in an earlier session
  [ -f $DONE/$1-$kind/gate_diagnostics.json ] && return 0
  local extra=()
  [ "$4" = 1 ] && extra=(custom_hooks.0.gate_optimizer.use_task_gradient=False)
  local t0=$(date +%s)
  $PY tools/train.py $R/$2 --work-dir $wd --no-validate --cfg-options \
    model.pretrained=$BASE randomness.seed=0 train_cfg.max_epochs=$3 "${extra[@]}" \
    > $OUT/$1/$(basename $wd).log 2>&1
  echo "$1 $(basename $wd) rc=$? $(( $(date +%s) - t0 ))s" >> $OUT/times.txt
}
scratch() {  # name seed
  local wd=$OUT/$1/scratch-seed$2
  [ -f $wd/done ] && return 0
  local spec=$OUT/$1/search/pas_search/width_spec.json
  [ -f $spec ] || spec=$DONE/$1-search/width_spec.json
  local t0=$(date +%s)
  $PY tools/train.py $R/scratch_resnet18-w16_1xb64-30e_proxy-cls.py --work-dir $wd \
    --cfg-options model.transfer.width_spec=$spec \
    model.budget.target_ratio=0.25 randomness.seed=$2 train_cfg.val_interval=30 \
    > $wd.log 2>&1 && touch $wd/done
  echo "$1 scratch-seed$2 $(( $(date +%s) - t0 ))s" >> $OUT/times.txt
}
mkdir -p $OUT/s339 $OUT/s2712 $OUT/s22600
while [ ! -f $BASE ]; do sleep 20; done
C64=pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py
C3=pas-original_resnet18-w16_1xb8-3e-search_proxy-cls_flops-0.25x.py
C25=pas-original_resnet18-w16_1xb8-25e-search_proxy-cls_flops-0.25x.py
(
  search s22600 $C25 25 0
  scratch s339 0; scratch s2712 0; scratch s22600 0
) &
(
  search s339 $C64 3 0; search s339 $C64 3 1
  search s2712 $C3 3 0; search s2712 $C3 3 1
  search s22600 $C25 25 1
  scratch s339 1; scratch s2712 1; scratch s22600 1
) &
wait
echo ALL DONE >> $OUT/times.txt
