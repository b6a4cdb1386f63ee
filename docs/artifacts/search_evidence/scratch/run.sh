#!/usr/bin/env bash
# Protocol B, measure (b) of docs/search_evidence.md: the widths of the
# leading candidates of measure (a) (ResNet-18-w16 at 25 %) trained from
# random init for 30 epochs, seeds 0, 1, 2, val only. Seed s trains the
# widths that (a)'s seed-s run exported. pas-original enters at protocol
# A's 22,500-step search (one search, seed 0; its scratch seeds 0 and 1
# are protocol A's). Two workers of one thread each; every run resumes.
#   bash docs/artifacts/search_evidence/scratch/run.sh RULES_WORK_DIR CANDIDATE... [-- OUT]
set -u
cd "$(dirname "$0")/../../../.."
PY=.venv/bin/python
HERE=docs/artifacts/search_evidence/scratch
CFG=configs/classification/resnet/scratch_resnet18-w16_1xb64-30e_proxy-cls.py
RULES=$1; shift
CANDS=(); OUT=work_dirs/scratch_widths
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then OUT=$2; break; fi
  CANDS+=("$1"); shift
done
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p $OUT $HERE/specs
# The specs are committed beside the results, so a later session can
# resume without (a)'s work dir.
for c in "${CANDS[@]}"; do
  for s in 0 1 2; do
    dst=$HERE/specs/$c-seed$s.json
    [ -f $dst ] && continue
    if [ "$c" = pas-original ]; then
      src=docs/artifacts/search_evidence/step_count/s22600-search/width_spec.json
    else
      src=$RULES/classification/$c@0.25-seed$s/compact/width_spec.json
    fi
    [ -f $src ] || { echo "run.sh: no width spec for $c seed $s: $src" >&2; exit 1; }
    cp $src $dst
  done
done
scratch() {  # candidate seed
  local wd=$OUT/$1-seed$2
  [ -f $wd/done ] && return 0
  grep -q "^$1,$2," $HERE/results_val.csv 2>/dev/null && return 0
  local t0=$(date +%s)
  $PY tools/train.py $CFG --work-dir $wd --cfg-options \
    model.transfer.width_spec=$HERE/specs/$1-seed$2.json \
    model.budget.target_ratio=0.25 randomness.seed=$2 train_cfg.val_interval=30 \
    > $wd.log 2>&1 && touch $wd/done
  local top1=$(grep -o 'Epoch(val) \[30\].*accuracy/top1: [0-9.]*' $wd.log \
    | tail -1 | grep -o '[0-9.]*$')
  [ -n "$top1" ] && echo "$1,$2,$top1" >> $HERE/results_val.csv
  echo "$1 seed$2 $(( $(date +%s) - t0 ))s top1=${top1:-none}" >> $OUT/times.txt
}
[ -f $HERE/results_val.csv ] || echo "candidate,seed,top1" > $HERE/results_val.csv
RUNS=()
for c in "${CANDS[@]}"; do for s in 0 1 2; do RUNS+=("$c $s"); done; done
worker() {  # every other run, from $1
  local i
  for ((i = $1; i < ${#RUNS[@]}; i += 2)); do scratch ${RUNS[$i]}; done
}
worker 0 & worker 1 & wait
echo ALL DONE >> $OUT/times.txt
