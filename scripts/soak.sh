#!/usr/bin/env bash
# The soak (issue #25): `npm test` RUNS times in a row (default 10) on a loaded machine — one core kept
# busy by `yes` — on a fresh clone of this repository's HEAD; the first run is the whole CI script
# (npm ci, typecheck, test, bundle). Stops at the first failure. A line per run goes to
# $OUT/soak.txt, each run's output to $OUT/soak-N.log (OUT defaults to /tmp).
#
#   bash scripts/soak.sh            (about 10 minutes a run on 2 cores)
set -u
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
out=${OUT:-/tmp}
runs=${RUNS:-10}
dir=$(mktemp -d)
git clone -q "$repo" "$dir" && cd "$dir" || exit 1
export WRANGLER_SEND_METRICS=false
echo "soak of $(git rev-parse --short HEAD) started $(date -u +%H:%M:%S)" > "$out/soak.txt"
yes > /dev/null &
busy=$!
trap 'kill $busy; rm -rf "$dir"' EXIT
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if [ "$i" = 1 ]; then bash .ci/run > "$out/soak-$i.log" 2>&1; else npm test > "$out/soak-$i.log" 2>&1; fi
  rc=$?
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$out/soak-$i.log" | grep -E '^ *Tests ' | tail -1)
  echo "run $i rc=$rc $(( $(date +%s) - start ))s load $(cut -d' ' -f1-3 /proc/loadavg) $summary" >> "$out/soak.txt"
  [ "$rc" -ne 0 ] && break
done
echo "ended $(date -u +%H:%M:%S)" >> "$out/soak.txt"
