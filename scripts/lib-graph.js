#!/usr/bin/env node
// Prints the import graph between libs: the number of import statements per (from-lib → to-lib) pair,
// counting production sources and tests apart. Usage: node scripts/lib-graph.js [--prod]
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const libsDir = path.join(root, 'libs');
const prodOnly = process.argv.includes('--prod');
const isTest = (file) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

const counts = new Map();
for (const lib of fs.readdirSync(libsDir).sort()) {
  for (const file of walk(path.join(libsDir, lib))) {
    if (prodOnly && isTest(file)) continue;
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)[^;'"]*?from\s+['"]@libs\/([\w-]+)/g)) {
      const to = match[1];
      if (to === lib) continue;
      const key = `${lib} -> ${to}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
}
for (const [key, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${key.padEnd(34)} ${n}`);
}
console.log(`${'total'.padEnd(34)} ${[...counts.values()].reduce((a, b) => a + b, 0)}`);
