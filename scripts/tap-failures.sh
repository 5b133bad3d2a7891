#!/usr/bin/env bash
# Prints the failed assertions of the last tap run, from tap's own results (.tap/test-results),
# so the end of a long CI log names what failed instead of only the coverage table.
set -uo pipefail
cd "$(dirname "$0")/.."
results=.tap/test-results
[ -d "$results" ] || { echo "tap-failures: no $results directory"; exit 0; }
echo "# ---- failed assertions (from $results) ----"
grep -rl --include='*.tap' -E '^\s*not ok ' "$results" | sort | while read -r file; do
  source=${file#"$results"/}
  source=${source%.tap}
  [ -e "$source" ] || continue # results of a test file since removed
  echo "## $source"
  # Each failure with the YAML diagnostics that follow it (indented lines), at most 40 lines.
  awk '/^[ \t]*not ok / && !/# (TODO|SKIP)/ {show=1; n=0}
       show {print; n++}
       show && n>1 && /^[ \t]*\.\.\.$/ {show=0}
       n>=40 {show=0}' "$file" | head -n 150
done
