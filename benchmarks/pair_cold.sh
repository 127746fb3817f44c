#!/bin/bash
# Paired cold builds of one corpus by two checkouts, alternating, for before/after medians:
#   benchmarks/pair_cold.sh CORPUS BEFORE_SRC AFTER_SRC [ROUNDS] [--search]
# e.g. git worktree add /tmp/before b1de6a6 && benchmarks/pair_cold.sh /tmp/c1000 /tmp/before/src src 3
# (make the corpus with: python -m benchmarks.gen_corpus --notes 1000 --out /tmp/c1000).
# Each build gets a new output folder (with and without the build cache); prints seconds and load.
# The builds are `--no-search` unless --search is given (then Pagefind indexes each one, as by default).
# A large cold build with the cache returns before its background signer (src/lecun_site/build/
# signer.py) has recorded what its pages read: the script then waits for the signer, says how
# much later it finished, and only then starts the next build, so that no run is measured
# beside another's signer.
set -euo pipefail
source "$(dirname "$0")/wait_signer.sh"
corpus=$1; before=$2; after=$3; rounds=${4:-3}; search=${5:-}
no_search=$([ "$search" = --search ] || echo "--no-search")
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
for i in $(seq "$rounds"); do
  for who in before after; do
    src=$([ "$who" = before ] && echo "$before" || echo "$after")
    for mode in cache nocache; do
      out=$work/$who-$i-$mode
      extra=$([ "$mode" = nocache ] && echo "--no-cache" || true)
      start=$(date +%s.%N)
      PYTHONPATH=$src "$python" -m lecun_site build --content "$corpus" --out "$out" $no_search --quiet $extra
      end=$(date +%s.%N)
      echo "$who $mode round $i: $(echo "$end - $start" | bc) s, load $(cut -d' ' -f1 /proc/loadavg)$(wait_signer "$out" "$end")"
    done
  done
done
rm -rf "$work" "$work".*
