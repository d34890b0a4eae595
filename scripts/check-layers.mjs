#!/usr/bin/env node
// `npm run check:layers`: fails on any import that points from a lower layer to a higher
// one, or that closes a cycle between folders of a package, in shipped code (tests and
// `*.fixture.ts` files are left out). Layers are listed below, lowest first: a file may
// import from its own folder and from folders listed before its own. Files at a package's
// `src/` root are the top layer (entry points and composition); no folder imports them.
// Packages themselves form layers too (PACKAGE_ORDER): `@tandem/x` may be imported only
// by packages listed after x.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Package order, lowest first. */
const PACKAGE_ORDER = ['protocol', 'sdk', 'admin', 'core', 'graphql', 'server', 'grpc', 'cli'];
/** Packages that may import a package listed before them only when they declare it as a dependency. */
const ALLOWED_PACKAGE_EDGES = {
  sdk: ['protocol'],
  // The admin UI is a client like any other: it talks to the server through the SDK.
  admin: ['protocol', 'sdk'],
  core: ['protocol'],
  graphql: ['core'],
  server: ['protocol', 'core'],
  // Transports never import each other: gRPC stands beside the HTTP server, on core.
  grpc: ['protocol', 'core'],
  // cli ships the admin UI's built files (it resolves their folder, and imports no code).
  cli: ['protocol', 'core', 'graphql', 'server', 'grpc', 'sdk', 'admin'],
};

/** Folder layers of each package's src/, lowest first. Folders on one line share a layer (and may not import each other). */
const LAYERS = {
  core: [
    ['errors', 'sql', 'text', 'limits'],
    ['hooks'],
    ['json'],
    ['store'],
    ['jobs'],
    ['storage'],
    ['files'],
    ['credentials'],
    ['schema'],
    ['filter'],
    ['changes'],
    ['collections'],
    ['migrations'],
    ['settings', 'mail', 'logs'],
    ['backups'],
    ['cache'],
    ['records'],
    ['auth'],
    ['realtime'],
    // The adapters that make instances a cluster over Redis (structural driver types, as storage/).
    ['cluster'],
    ['actions'],
    ['compose'],
  ],
  server: [
    ['http', 'xml'],
    ['auth'],
    ['cache'],
    ['edge'],
    ['files'],
    ['tls'],
    ['metrics'],
    ['openapi'],
    ['actions'],
    ['routes'],
    ['realtime'],
    ['graphql'],
    ['flow'],
  ],
  graphql: [['errors'], ['limits'], ['resolve'], ['schema'], ['endpoint']],
  grpc: [['proto'], ['status'], ['call'], ['services']],
  admin: [['api'], ['ui'], ['pages']],
  cli: [['config'], ['tls', 'typegen', 'hooks'], ['compose', 'cluster'], ['commands']],
};

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function shippedFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...shippedFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(name) && !/\.(test|fixture)\.tsx?$/.test(name) && !name.endsWith('.d.ts'))
      out.push(path);
  }
  return out;
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The folder of a file below src/, or '' for files at the root of src/. */
function folderOf(src, file) {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0] : '';
}

function rankOf(layers, folder) {
  if (folder === '') return Infinity;
  const index = layers.findIndex((line) => line.includes(folder));
  return index;
}

function checkPackage(name, problems) {
  const src = join(ROOT, 'packages', name, 'src');
  const layers = LAYERS[name];
  const edges = new Map();
  for (const file of shippedFiles(src)) {
    const from = folderOf(src, file);
    if (layers && from !== '' && rankOf(layers, from) < 0)
      problems.push(`${rel(file)}: the folder "${from}" of ${name} has no layer in scripts/check-layers.mjs`);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('@tandem/')) checkPackageImport(name, file, spec, problems);
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) {
        problems.push(`${rel(file)} imports ${spec}, outside its package's src/`);
        continue;
      }
      const to = folderOf(src, target);
      if (to === from) continue;
      if (to !== '' && from !== '') addEdge(edges, from, to);
      if (to === '') problems.push(`${rel(file)} imports ${spec}: the root of ${name}/src is the top layer`);
      else if (layers && rankOf(layers, to) >= rankOf(layers, from))
        problems.push(`${rel(file)} imports ${spec}: "${to}" is not below "${from}"`);
    }
  }
  for (const cycle of folderCycles(edges))
    problems.push(`${name}: folders import each other in a cycle: ${cycle.join(' -> ')}`);
}

function addEdge(edges, from, to) {
  if (!edges.has(from)) edges.set(from, new Set());
  edges.get(from).add(to);
}

function checkPackageImport(name, file, spec, problems) {
  const target = spec.split('/')[1];
  if (!PACKAGE_ORDER.includes(target) || target === name) return;
  const allowed = ALLOWED_PACKAGE_EDGES[name] ?? [];
  if (!allowed.includes(target)) problems.push(`${rel(file)} imports ${spec}: ${name} may not depend on ${target}`);
}

/** Every elementary cycle found by a depth-first walk (each reported once, from its smallest folder). */
function folderCycles(edges) {
  const cycles = new Set();
  const walk = (start, node, path) => {
    for (const next of edges.get(node) ?? []) {
      if (next === start) cycles.add([...path, start].join(' -> '));
      else if (next > start && !path.includes(next)) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, start, [start]);
  return [...cycles].map((text) => text.split(' -> '));
}

function rel(file) {
  return relative(ROOT, file);
}

const problems = [];
for (const name of PACKAGE_ORDER) checkPackage(name, problems);
if (problems.length > 0) {
  console.error(`check:layers: ${problems.length} problem(s)`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`check:layers: every import points down (${PACKAGE_ORDER.join(', ')})`);
