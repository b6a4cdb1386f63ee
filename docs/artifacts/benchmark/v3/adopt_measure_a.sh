#!/usr/bin/env bash
# Benchmark v3 (docs/benchmark.md): copy the runs of measure (a) of
# protocols B and C (configs/benchmark/search_rule_suite.py, val only)
# into v3's work dir under v3's names, with their step markers, so that
# run_suite.py evaluates them on test and runs only what (a) lacks.
#   bash docs/artifacts/benchmark/v3/adopt_measure_a.sh RULES_WORK_DIR V3_WORK_DIR
set -eu
RULES=$1 V3=$2
adopt() {  # task from to
  local src dst
  for src in "$RULES/$1/$2"@*-seed[0-9]; do
    [ -d "$src" ] || { echo "adopt: no runs $RULES/$1/$2@*" >&2; exit 1; }
    dst="$V3/$1/$3@${src##*@}"
    [ -e "$dst" ] && continue
    cp -a "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
    echo "$1/$2@${src##*@} -> $1/$3@${src##*@}"
  done
}
for task in classification classification_repvgg; do
  mkdir -p "$V3/$task"
  [ -e "$V3/$task/baseline" ] || cp -a "$RULES/$task/baseline" "$V3/$task/baseline"
  adopt $task pas-own-layer pas  # the default since protocol C
  adopt $task pas pas-marginal   # v2's rule
  for m in pas-original uniform random tp-taylor; do adopt $task $m $m; done
done
for m in bn-gamma tp-magnitude; do adopt classification $m $m; done
