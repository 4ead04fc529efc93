#!/usr/bin/env node
// npm's `prepare` for a clone: builds wasm/build/ (AssemblyScript) and dist/ (TypeScript) only
// when a source is newer than what they hold, saying so on stderr first. npm runs `prepare` on
// `npm install`, and again each time `npx lanes` runs in a clone (npm exec links the clone as a
// package), where a full build took 37 s in silence before the command even started.
//
//   node bin/build_if_stale.js          builds what is stale, nothing when all is fresh
//   node bin/build_if_stale.js --force  builds both
//
// Plain JavaScript: it runs before anything is compiled.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What is built, from what: `outputs` are stale when any is missing or older than a source. */
export const buildTargets = [
  {
    name: 'wasm/build (AssemblyScript kernels)',
    script: 'build:wasm',
    sources: ['wasm/assembly', 'asconfig.json'],
    outputs: ['wasm/build/kernels.wasm', 'wasm/build/kernels.debug.wasm'],
  },
  {
    name: 'dist (TypeScript, then its bundles)',
    script: 'build:ts',
    // wasm/'s TypeScript loaders are its top-level .ts files; wasm/assembly is the target above.
    sources: ['core', 'actors', 'bench', 'types', 'wasm/*.ts', 'tsconfig.json', 'bin/bundle.js'],
    outputs: ['dist/actors/host/cli.js', 'dist/actors/host/index.js', 'dist/bundle/cli.js', 'dist/bundle/index.js', 'dist/bundle/shard_main.js'],
  },
];

const skippedDirectories = new Set(['node_modules', 'dist', 'build']);

/** The newest modification time (ms) of a file, or of every file under a directory; 0 when absent. */
function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && skippedDirectories.has(entry.name)) continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry.name)));
  }
  return newest;
}

/** `dir/*.ts`: the newest of a directory's own files with that ending (no recursion). */
function newestSourceMtimeMs(root, source) {
  const star = source.indexOf('/*');
  if (star < 0) return newestMtimeMs(join(root, source));
  const directory = join(root, source.slice(0, star));
  const ending = source.slice(star + 2);
  if (!existsSync(directory)) return 0;
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(ending)) newest = Math.max(newest, statSync(join(directory, entry.name)).mtimeMs);
  }
  return newest;
}

/** The targets whose outputs are missing or older than one of their sources, in build order. */
export function staleTargets(root, targets = buildTargets) {
  return targets.filter((target) => {
    const outputs = target.outputs.map((output) => join(root, output));
    if (outputs.some((output) => !existsSync(output))) return true;
    const oldestOutput = Math.min(...outputs.map((output) => statSync(output).mtimeMs));
    return target.sources.some((source) => newestSourceMtimeMs(root, source) > oldestOutput);
  });
}

function main() {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const force = process.argv.includes('--force');
  const stale = force ? buildTargets : staleTargets(root);
  for (const target of stale) {
    process.stderr.write(`lanes: building ${target.name}${force ? '' : ': its sources changed since the last build'} (npm run ${target.script})…\n`);
    const run = spawnSync('npm', ['run', '--silent', target.script], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`lanes: npm run ${target.script} failed (exit ${run.status ?? run.signal})\n`);
      process.exit(1);
    }
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
