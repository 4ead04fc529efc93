// The BUILT `lanes` command (bin/lanes.js running dist/) as a child process, the way a user runs
// it: no TypeScript loader in the child, so it starts in a fraction of the time on a busy machine
// and tests what ships. `npm test` builds dist/ first; a direct `npx vitest run` after editing
// sources would test stale code, so the first spawn checks dist/ is not older than its sources
// and fails with what to run instead.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const lanesBin = join(repoRoot, 'bin', 'lanes.js');
/** Source folders compiled to dist/ that a spawned broker or CLI runs (wasm/: only its top level; assembly/ is AssemblyScript). */
const compiledFolders = [
  { folder: 'core', deep: true },
  { folder: 'actors', deep: true },
  { folder: 'wasm', deep: false },
];

let checked = false;

/** The bundled entries (bin/bundle.js) the spawned CLI and its shard workers load. */
const bundles = ['dist/bundle/cli.js', 'dist/bundle/shard_main.js'];

/**
 * Throws naming the first source file newer than its compiled dist/ twin (or without one), or a
 * bundle older than the compiled modules it was made from (`tsc` run without bin/bundle.js).
 */
export function assertDistFresh(): void {
  if (checked) return;
  let newestBuiltMs = 0;
  for (const { folder, deep } of compiledFolders) {
    for (const source of sourcesUnder(join(repoRoot, folder), deep)) {
      const path = relative(repoRoot, source);
      const built = join(repoRoot, 'dist', path.replace(/\.ts$/, '.js'));
      let builtMs: number;
      try {
        builtMs = statSync(built).mtimeMs;
      } catch {
        throw new Error(`dist/ is stale: ${path} has no ${relative(repoRoot, built)}; run \`npm run build:ts\` (npm test does)`);
      }
      if (statSync(source).mtimeMs > builtMs) throw new Error(`dist/ is stale: ${path} is newer than its build; run \`npm run build:ts\` (npm test does)`);
      newestBuiltMs = Math.max(newestBuiltMs, builtMs);
    }
  }
  for (const bundle of bundles) {
    let bundledMs: number;
    try {
      bundledMs = statSync(join(repoRoot, bundle)).mtimeMs;
    } catch {
      throw new Error(`dist/ is stale: ${bundle} is missing; run \`npm run build:ts\` (npm test does)`);
    }
    if (bundledMs < newestBuiltMs) throw new Error(`dist/ is stale: ${bundle} is older than the modules it bundles; run \`npm run build:ts\` (npm test does)`);
  }
  checked = true;
}

/** Whether dist/ is built from the current sources (assertDistFresh passes). */
export function distIsFresh(): boolean {
  try {
    assertDistFresh();
    return true;
  } catch {
    return false;
  }
}

function* sourcesUnder(dir: string, deep: boolean): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) yield* sourcesUnder(path, deep);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** `node bin/lanes.js ...args` with LANES_LOG_LEVEL=warn unless `options.env` says otherwise. */
export function spawnLanes(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  assertDistFresh();
  return spawn(process.execPath, [lanesBin, ...args], {
    cwd: repoRoot,
    ...options,
    env: { LANES_LOG_LEVEL: 'warn', ...(options.env ?? process.env) },
  });
}

/** `node <fixture.mjs> ...args`: a plain-JavaScript fixture that imports the built modules in dist/. */
export function spawnBuiltFixture(fixture: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  assertDistFresh();
  return spawn(process.execPath, [fixture, ...args], { ...options, env: { LANES_LOG_LEVEL: 'warn', ...(options.env ?? process.env) } });
}
