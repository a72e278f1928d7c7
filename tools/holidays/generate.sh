#!/usr/bin/env bash
# Builds crates/relais/data/public-holidays.tsv and
# crates/relais/data/school-holidays.tsv, the calendars behind `PH` and `SH`
# in opening hours. Sources, both MIT and pinned, installed from PyPI into a
# throwaway virtual environment:
#   - jours-feries-france (Etalab): public holidays of metropolitan France,
#     Alsace-Moselle and each overseas collectivity, computed by year;
#   - vacances-scolaires-france (Antoine Augusti): the school holidays of
#     zones A, B and C, from the Ministry of Education's open data.
# Reproducible: same versions, same files. See NOTICE and docs/directory.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
public_version=0.7.0
school_version=0.12.0
first_year=2020
last_year=2050
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "jours-feries-france==$public_version" "vacances-scolaires-france==$school_version"
"$work/venv/bin/python" tools/holidays/generate.py \
  --public-version "$public_version" --school-version "$school_version" \
  --first-year "$first_year" --last-year "$last_year" \
  --out crates/relais/data
wc -l crates/relais/data/public-holidays.tsv crates/relais/data/school-holidays.tsv >&2
