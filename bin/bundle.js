#!/usr/bin/env node
// Bundles the compiled entry points (dist/, from `tsc`) into dist/bundle/: one file per thread's
// entry plus the chunks they share, so a process or worker thread that starts Lanes parses a few
// files instead of resolving and loading ~100 ES modules and ~40 CommonJS ones one by one. Each
// shard worker is a fresh isolate that loads its modules again, so module loading, not our code,
// was most of a broker's start-up (BENCHMARKS.md, Start-up).
//
//   node bin/bundle.js      after `tsc -p tsconfig.json` (npm run build:ts runs both)
//
// Entries (every name unique: they sit side by side, and the bundled actors/spawn.ts finds a
// worker's entry beside itself by that name):
//   index.js            the package entry (`lanes`)
//   cli.js              the `lanes` command (bin/lanes.js loads it)
//   global_setup.js     `lanes/testing` (startTestBroker, the vitest/jest globalSetup)
//   global_teardown.js  `lanes/testing/teardown`
//   shard_main.js       a shard's worker thread
//   recovery_worker.js  a recovery-scan worker (piscina)
//   member_host.js      a `lanes lab` thread of group members
//   broker_child.js     the broker child process `lanes bench` starts for its load-generator rows
//   bench_driver.js     the child process `lanes bench` runs each system's client in
// Code that starts one of these finds it beside itself (new URL('./<name>.js', import.meta.url)),
// which from a bundled chunk is here.
// Code the main thread's entries share sits in chunk-*.js, so `lanes` and `lanes/testing` share
// one copy of every module (one Broker class, one logger); a worker's entry is bundled on its own,
// into one file. A dynamic import() (a lazily loaded subsystem) stays its own chunk, loaded when
// first used.
//
// Left outside the bundle: piscina (its pool starts its own worker file by path),
// @bokuweb/zstd-wasm (loads its .wasm file relative to itself), both loaded lazily anyway, and the
// peers' client libraries `lanes bench` loads (peerClients below).
// Plain JavaScript: it runs before anything of Lanes is loaded.

import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** name → compiled module (under dist/): what the main thread loads; they share chunks. */
export const mainThreadEntries = {
  index: 'actors/host/index.js',
  cli: 'actors/host/cli.js',
  global_setup: 'actors/testing/global_setup.js',
  global_teardown: 'actors/testing/global_teardown.js',
};

/** name → compiled module: a worker thread's entry, each bundled on its own (nothing to share with). */
export const workerEntries = {
  shard_main: 'actors/shard/shard_main.js',
  recovery_worker: 'actors/storage/recovery_worker.js',
  // `lanes lab run --engine real`: a thread of group members (actors/lab/real_engine.ts).
  member_host: 'actors/lab/member_host.js',
  // `lanes bench`: the broker child process of the load generator's rows (bench/load/broker_process.ts).
  broker_child: 'bench/load/broker_child.js',
  // `lanes bench`: the child process each system's client runs in (bench/e2e/isolated_driver.ts).
  bench_driver: 'bench/e2e/bench_driver.js',
};

export const bundleDirectory = 'dist/bundle';

/**
 * Packages only `lanes bench` and the tests load, on demand: none is a dependency of Lanes, and
 * each is a CommonJS module whose exports a bundle would reshape (a default export where Node
 * gives the module's named ones), so they are left to Node's own loader.
 */
const peerClients = ['kafkajs', 'ioredis', 'nats', '@platformatic/kafka', '@confluentinc/kafka-javascript', 'tinybench'];

export async function bundle() {
  const outdir = join(root, bundleDirectory);
  rmSync(outdir, { recursive: true, force: true });
  // Chunk names are content hashes, so a chunk two builds both emit is the same file.
  await bundleEntries(mainThreadEntries, outdir);
  for (const [name, source] of Object.entries(workerEntries)) await bundleEntries({ [name]: source }, outdir);
}

async function bundleEntries(entries, outdir) {
  await build({
    entryPoints: Object.entries(entries).map(([out, source]) => ({ in: join(root, 'dist', source), out })),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    external: ['piscina', '@bokuweb/zstd-wasm', ...peerClients],
    // actors/spawn.ts: start workers from the bundled entries beside this code.
    define: { LANES_BUNDLED: 'true' },
    // CommonJS dependencies (pino, commander, prom-client) call require() for Node's modules; an
    // ES module has no require, so each file gets one of its own.
    banner: { js: "import { createRequire as __lanesCreateRequire } from 'node:module';\nconst require = __lanesCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await bundle();
