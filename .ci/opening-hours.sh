#!/usr/bin/env bash
# Differential test of Relais's opening hours against the reference
# implementation, npm opening_hours (installed into a throwaway folder, never
# into the clone): every expression of
# crates/relais/tests/data/opening_hours/corpus.tsv at every moment of
# moments.tsv (French holidays, both clock changes), read by Relais
# (`cargo run --example hours_corpus`) and by opening_hours, compared by
# .ci/opening-hours.mjs. Fails when the state (open, closed, unknown)
# differs on an expression that differences.tsv does not list with its
# reason; prints the agreement on the state and on the next change.
#
#   bash .ci/opening-hours.sh [WORK_DIR]     # .ci/run passes its $work
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.15.0
work="${1:-}"
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/relais-oh.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed (apt-get install npm)"; exit 1; }
npm install --prefix "$work/opening-hours" --no-audit --no-fund --no-save --silent "opening_hours@$version"
cargo run --quiet -p relais --example hours_corpus > "$work/relais-hours.jsonl"
TZ=Europe/Paris node .ci/opening-hours.mjs "$work/opening-hours/node_modules" "$work/relais-hours.jsonl"
