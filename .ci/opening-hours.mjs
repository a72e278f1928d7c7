// Compares Relais's reading of the opening-hours corpus with the reference
// implementation, npm opening_hours (https://github.com/opening-hours/opening_hours.js).
//
//   node .ci/opening-hours.mjs NODE_MODULES RELAIS_JSONL
//
// RELAIS_JSONL is what `cargo run -p relais --example hours_corpus` printed.
// Both read crates/relais/tests/data/opening_hours/{corpus,moments}.tsv, at
// Montreuil-sur-Mer (Pas-de-Calais, Hauts-de-France, school zone B), in
// Europe/Paris (run with TZ=Europe/Paris). Prints the agreement on the state
// (open, closed, unknown) and on the next change within two weeks, and every
// difference; fails when a state differs and differences.tsv does not list
// that expression with its reason (docs/directory.md explains each).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [modules, relaisFile] = process.argv.slice(2);
if (process.env.TZ !== "Europe/Paris") {
  console.error("run with TZ=Europe/Paris");
  process.exit(2);
}
const require = createRequire(join(modules, "noop.js"));
const OpeningHours = require("opening_hours");
const data = new URL("../crates/relais/tests/data/opening_hours/", import.meta.url);
const rows = (name) =>
  readFileSync(new URL(name, data), "utf8")
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => line.split("\t"));
const corpus = rows("corpus.tsv").map((r) => r[0]);
const moments = rows("moments.tsv").map((r) => r[0]);
const listed = new Map(rows("differences.tsv").map((r) => [r[0], r[1]]));

// Coordinates as strings, as Nominatim gives them: the library ignores numbers
// and falls back to fixed sun times.
const place = { lat: "50.4637", lon: "1.7635", address: { country_code: "fr", state: "Hauts-de-France" } };
const pad = (n) => String(n).padStart(2, "0");
const local = (d) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
const parseLocal = (text) => {
  const [date, time] = text.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [h, min] = time.split(":").map(Number);
  return new Date(y, m - 1, d, h, min);
};

const reference = new Map();
for (const expression of corpus) {
  let oh = null;
  try {
    oh = new OpeningHours(expression, place, { mode: 0, locale: "fr" });
  } catch {
    oh = null;
  }
  for (const at of moments) {
    const key = `${expression}\u0000${at}`;
    if (!oh) {
      reference.set(key, { state: "error", next: null });
      continue;
    }
    const when = parseLocal(at);
    const state = oh.getUnknown(when) ? "unknown" : oh.getState(when) ? "open" : "closed";
    const limit = new Date(when.getTime() + 14 * 24 * 3600 * 1000);
    const next = oh.getNextChange(when, limit);
    reference.set(key, { state, next: next ? local(next) : null });
  }
}

let compared = 0;
let sameState = 0;
let sameNext = 0;
let bothErrors = 0;
const differences = [];
const unlisted = new Set();
for (const line of readFileSync(relaisFile, "utf8").split("\n").filter(Boolean)) {
  const relais = JSON.parse(line);
  const ref = reference.get(`${relais.expression}\u0000${relais.at}`);
  if (!ref) throw new Error(`not in the corpus: ${line}`);
  if (ref.state === "error" || relais.state === "error") {
    if (ref.state === relais.state) bothErrors++;
    else differences.push({ ...relais, reference: ref, kind: "parse" });
    if (ref.state !== relais.state && !listed.has(relais.expression)) unlisted.add(relais.expression);
    continue;
  }
  compared++;
  if (ref.state === relais.state) sameState++;
  else {
    differences.push({ ...relais, reference: ref, kind: "state" });
    if (!listed.has(relais.expression)) unlisted.add(relais.expression);
  }
  if (ref.next === relais.next) sameNext++;
  else differences.push({ ...relais, reference: ref, kind: "next" });
}

const percent = (n) => ((100 * n) / Math.max(compared, 1)).toFixed(1);
for (const d of differences) {
  const why = listed.get(d.expression) ?? "NOT LISTED";
  if (d.kind === "next") {
    console.log(`next  ${d.at}  ${JSON.stringify(d.expression)}  relais=${d.next} reference=${d.reference.next}`);
  } else {
    console.log(`${d.kind.padEnd(5)} ${d.at}  ${JSON.stringify(d.expression)}  relais=${d.state} reference=${d.reference.state}  (${why})`);
  }
}
console.log(
  `opening hours: ${corpus.length} expressions x ${moments.length} moments; ` +
    `${compared} compared (${bothErrors} refused by both); ` +
    `state agrees ${sameState}/${compared} (${percent(sameState)} %); ` +
    `next change agrees ${sameNext}/${compared} (${percent(sameNext)} %)`,
);
if (unlisted.size > 0) {
  console.log(`state differences not listed in differences.tsv: ${[...unlisted].map((e) => JSON.stringify(e)).join(", ")}`);
  process.exit(1);
}
