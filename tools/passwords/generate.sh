#!/usr/bin/env bash
# Builds crates/relais/data/common-passwords.txt: the passwords people use
# most, which the back office refuses. Source: the "passwords" frequency list
# of the npm package zxcvbn (MIT, Dan Wheeler and Dropbox), plus a few French
# ones it lacks. Reproducible: same version, same file.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=4.4.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "zxcvbn@$version" >/dev/null && tar xzf "zxcvbn-$version.tgz")
node -e '
  const lists = require(process.argv[1] + "/package/lib/frequency_lists.js");
  const french = ["azerty", "azertyuiop", "motdepasse", "soleil", "doudou", "loulou", "chouchou",
    "bonjour", "marseille", "nicolas", "camille", "julien", "vacances", "coucou", "jetaime",
    "amour", "papa", "maman", "bebe", "chocolat", "princesse", "doudoune", "toulouse", "paris"];
  const words = new Set([...lists.passwords, ...french].map((w) => w.toLowerCase()));
  const sorted = [...words].sort();
  process.stdout.write("# common passwords: zxcvbn " + process.argv[2] + " (MIT, Dan Wheeler and Dropbox) and a few French ones\n");
  process.stdout.write(sorted.join("\n") + "\n");
' "$work" "$version" > "$work/out.txt"
mv "$work/out.txt" crates/relais/data/common-passwords.txt
wc -l crates/relais/data/common-passwords.txt >&2
