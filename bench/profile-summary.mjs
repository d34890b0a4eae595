#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `BENCH_CPU_PROF=tandem npm run bench`):
// time by area (Tandem's packages, each dependency, Node internals, GC), then the hottest
// functions by self time and by inclusive time.
//
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--filter TEXT] [--area NAME] [--requests N]
//   --filter keeps only functions whose URL contains TEXT in the inclusive list (e.g. packages/);
//   --area also lists the hottest functions (self time) of one area, e.g. "node internals".
// Note: V8 samples wall-clock time of the main thread, so on a busy machine a syscall that
// wakes another process (writev to a loopback socket) collects preemption time too; compare
// with the harness's server CPU µs/req, which comes from /proc.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    filter: { type: 'string' },
    area: { type: 'string' },
    requests: { type: 'string' },
  },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--filter TEXT]');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node from the samples and their time deltas (µs).
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const idle = [...nodes.values()]
  .filter((n) => n.callFrame.functionName === '(idle)')
  .reduce((s, n) => s + (selfMicros.get(n.id) ?? 0), 0);
const busy = total - idle;

function shortUrl(url) {
  if (!url) return '';
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*?\/node_modules\//, 'node_modules/')
    .replace(/^.*?\/packages\//, 'packages/')
    .replace(/^.*?\/bench\//, 'bench/');
}
function area(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native/builtin)';
  if (url.startsWith('node:')) return 'node internals';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  const pkg = /packages\/([^/]+)\//.exec(url);
  if (pkg) return `@tandem/${pkg[1]}`;
  return shortUrl(url);
}
const keyOf = (frame) => `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

// Parents, for inclusive time.
const parent = new Map();
for (const node of nodes.values()) for (const child of node.children ?? []) parent.set(child, node.id);

const byArea = new Map();
const bySelf = new Map();
const inArea = new Map();
const byInclusive = new Map();
for (const [id, micros] of selfMicros) {
  const node = nodes.get(id);
  if (node.callFrame.functionName === '(idle)') continue;
  byArea.set(area(node.callFrame), (byArea.get(area(node.callFrame)) ?? 0) + micros);
  bySelf.set(keyOf(node.callFrame), (bySelf.get(keyOf(node.callFrame)) ?? 0) + micros);
  if (values.area && area(node.callFrame) === values.area)
    inArea.set(keyOf(node.callFrame), (inArea.get(keyOf(node.callFrame)) ?? 0) + micros);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const key = keyOf(nodes.get(at).callFrame);
    if (seen.has(key)) continue; // recursion: count once
    seen.add(key);
    byInclusive.set(key, (byInclusive.get(key) ?? 0) + micros);
  }
}

// With --requests N (requests the process served), times are also shown per request.
const requests = values.requests ? Number(values.requests) : 0;
const pct = (micros) =>
  `${((micros / busy) * 100).toFixed(1).padStart(5)}%${requests ? ` ${(micros / requests).toFixed(2).padStart(7)} µs/req` : ''}`;
const print = (title, map, filter = () => true) => {
  console.log(`\n${title}`);
  for (const [key, micros] of [...map]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`  ${pct(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`);
};

console.log(
  `${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)}%); percentages are of busy time`,
);
print('By area (self time)', byArea);
print(`Top ${top} functions by self time`, bySelf);
if (values.area) print(`Top ${top} functions of ${values.area} by self time`, inArea);
print(
  `Top ${top} functions by inclusive time${values.filter ? ` (URL contains ${values.filter})` : ''}`,
  byInclusive,
  (k) => !k.startsWith('(root)') && (!values.filter || k.includes(values.filter)),
);
