#!/usr/bin/env bash
# Builds a gateway variant for ab.ts / threads.ts / profile.ts --repo, without touching this checkout's dist/
# (other sessions build and test here): the committed tree (git archive HEAD, read-only for git) plus the
# working-tree files named, compiled into OUT/dist, with node_modules and models linked from this checkout.
#
#   test/bench/variant.sh OUT [FILE ...]      e.g. test/bench/variant.sh /tmp/gw-head
#                                                  test/bench/variant.sh /tmp/gw-new src/server/http.ts
#
# Each change in FINDINGS.md ("Changes and what each bought") was measured as HEAD + its files vs HEAD + the
# files before it, so one figure is one change.
set -euo pipefail
out=$1
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"
(cd "$repo" && git archive HEAD src plugins schema package.json tsconfig.json | tar -x -C "$out")
ln -s "$repo/node_modules" "$out/node_modules"
ln -s "$repo/models" "$out/models"
for f in "$@"; do
  mkdir -p "$out/$(dirname "$f")"
  cp "$repo/$f" "$out/$f"
done
(cd "$out" && "$repo/node_modules/.bin/tsc" -p tsconfig.json)
test -f "$out/dist/src/cli.js"
echo "built $out"
