#!/usr/bin/env bash
# Validates Relais's data·inclusion export with the official schema package
# (PyPI `data-inclusion-schema`, its v1 pydantic models), a validator Relais's
# developers did not write: the demo territory is imported into a throwaway
# database, exported as data·inclusion, and every structure and service is
# checked. Prints the counts valid/invalid, each invalid record with the
# official message, and fails on any invalid record.
#
# Called by .ci/run (which sets $work, removed on exit); alone, it makes a
# temporary folder of its own. Needs python3 with venv (python3-venv on
# Debian: installed with apt-get when missing) and the Rust toolchain.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
schema_version=1.0.10

own_work=""
if [ -z "${work:-}" ]; then
  work=$(mktemp -d /tmp/relais-di.XXXXXX)
  own_work=$work
fi
cleanup_di() { if [ -n "$own_work" ]; then rm -rf "$own_work"; fi; }
trap cleanup_di EXIT

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
fi

venv="$work/data-inclusion-venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "data-inclusion-schema==$schema_version"

# The demo territory, through the commands an operator uses.
data="$work/data-inclusion-db"
export="$work/data-inclusion-export.json"
relais() { RELAIS_LOAD_DEMO=false cargo run --quiet -p relais -- --data-dir "$data" "$@"; }
relais migrate >/dev/null
relais territory add "$root/content/territories/montreuillois.toml" >/dev/null
relais directory import "$root/content/territories/montreuillois.csv" --territory montreuillois >/dev/null
relais directory export --territory montreuillois --format data-inclusion --output "$export"

"$venv/bin/python" - "$export" "${@}" <<'PYTHON'
"""Every structure and service of each file, through the official v1 models."""
import json
import sys

import pydantic
from data_inclusion.schema.v1 import Service, Structure

failed = False
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    for name, model in (("structures", Structure), ("services", Service)):
        valid = invalid = 0
        for index, record in enumerate(data.get(name, [])):
            try:
                # Warnings count too: the official validator raises them
                # when the context asks for them.
                model.model_validate(record, context={"ignore_warnings": False})
                valid += 1
            except pydantic.ValidationError as error:
                invalid += 1
                for detail in error.errors():
                    where = ".".join(str(part) for part in detail["loc"])
                    # An enum's message lists every code: the value is enough.
                    message = detail["msg"] if detail["type"] != "enum" else "unknown code"
                    print(f"  {path}: {name}[{index}] ({record.get('id')}).{where}: {message} ({detail.get('input')!r})")
        print(f"{path}: {name}: {valid} valid, {invalid} invalid")
        failed = failed or invalid > 0
sys.exit(1 if failed else 0)
PYTHON
