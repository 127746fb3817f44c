#!/bin/bash
# Cold builds of the same number of notes by Hugo and by lecun-site, alternating, for the
# "N× Hugo" figures of issue 19:
#   benchmarks/pair_hugo.sh HUGO_SITE CORPUS [ROUNDS] [--search]
# HUGO_SITE: ../shared/bench's Hugo site (`python ../shared/bench/gen_corpus.py 4000 --out /tmp/hb/sites`
# makes /tmp/hb/sites/N4000/hugo); CORPUS: lecun-site's own corpus of the same size
# (`python -m benchmarks.gen_corpus --notes 4000 --out /tmp/c4000`). Without --search it pairs
# `hugo` with `build --no-search`; with it, `hugo` then Pagefind over Hugo's output with the
# default `build` (which indexes with Pagefind). SRC (default: src) picks the checkout measured.
# Each run writes into a new folder; all are deleted at the end, not between runs: on this
# machine's disk, creating files right after thousands were deleted costs several times more
# (mkdir and open took ~0.5 ms each instead of ~0.05 ms), so a deletion between runs would slow
# whichever tool ran next. Prints seconds and the load, and how long after lecun-site returned its
# background signer finished (pair_cold.sh says why).
set -euo pipefail
source "$(dirname "$0")/wait_signer.sh"
hugo_site=$1; corpus=$2; rounds=${3:-3}; search=${4:-}
python=${PYTHON:-.venv/bin/python}
src=${SRC:-src}
pagefind=$("$python" -c "from lecun_site.build.search import find_pagefind; print(find_pagefind() or '')")
work=$(mktemp -d)
for i in $(seq "$rounds"); do
  start=$(date +%s.%N)
  if [ "$search" = --search ]; then
    (cd "$hugo_site" && hugo --quiet -d "$work/hugo-$i" >/dev/null && "$pagefind" --site "$work/hugo-$i" >/dev/null)
  else
    (cd "$hugo_site" && hugo --quiet -d "$work/hugo-$i" >/dev/null)
  fi
  end=$(date +%s.%N)
  echo "hugo${search:+ + pagefind} round $i: $(echo "$end - $start" | bc) s, load $(cut -d' ' -f1 /proc/loadavg)"
  extra=$([ "$search" = --search ] || echo "--no-search")
  start=$(date +%s.%N)
  PYTHONPATH=$src "$python" -m lecun_site build --content "$corpus" --out "$work/lecun-$i" --quiet $extra
  end=$(date +%s.%N)
  echo "lecun-site round $i: $(echo "$end - $start" | bc) s, load $(cut -d' ' -f1 /proc/loadavg)$(wait_signer "$work/lecun-$i" "$end")"
done
rm -rf "$work"
