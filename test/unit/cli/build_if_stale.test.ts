// npm's `prepare` (bin/build_if_stale.js) must build exactly what is stale: everything in a
// fresh clone, nothing when the outputs are newer than every source (what made `npx lanes` in a
// clone rebuild for 37 s each time), and a target again once one of its sources changes.
// Method: a temporary tree with set modification times, the real target list.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTargets, staleTargets } from '../../../bin/build_if_stale.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Writes `path` under `root` with modification time `seconds`. */
function file(root: string, path: string, seconds: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, '');
  utimesSync(full, seconds, seconds);
}

/** A clone's sources at t=100, and (when `built`) every output at t=200. */
function tree(built: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'lanes-prepare-'));
  roots.push(root);
  for (const path of ['wasm/assembly/index.ts', 'asconfig.json', 'core/errors.ts', 'actors/host/cli.ts', 'wasm/loader.ts', 'tsconfig.json', 'bench/README.md', 'types/x.d.ts']) file(root, path, 100);
  if (built) for (const target of buildTargets) for (const output of target.outputs) file(root, output, 200);
  return root;
}

const names = (root: string) => staleTargets(root).map((target) => target.script);

describe('prepare builds only what is stale', () => {
  it('builds both in a fresh clone, the kernels first', () => {
    expect(names(tree(false))).toEqual(['build:wasm', 'build:ts']);
  });

  it('builds nothing when every output is newer than its sources', () => {
    expect(names(tree(true))).toEqual([]);
  });

  it('rebuilds a target once one of its sources is newer; files of node_modules and built trees do not count', () => {
    const root = tree(true);
    file(root, 'core/node_modules/x.js', 300);
    file(root, 'actors/dist/x.js', 300);
    expect(names(root)).toEqual([]);
    file(root, 'core/group/offsets.ts', 300);
    expect(names(root)).toEqual(['build:ts']);
    file(root, 'wasm/assembly/kernels/hash.ts', 300);
    expect(names(root)).toEqual(['build:wasm', 'build:ts']);
  });

  it('wasm/*.ts is the loaders only: a kernel source does not rebuild dist', () => {
    const root = tree(true);
    file(root, 'wasm/assembly/index.ts', 300);
    expect(names(root)).toEqual(['build:wasm']);
    file(root, 'wasm/loader.ts', 300);
    expect(names(root)).toEqual(['build:wasm', 'build:ts']);
  });

  it('a missing output makes its target stale', () => {
    const root = tree(true);
    rmSync(join(root, 'dist/actors/host/index.js'));
    expect(names(root)).toEqual(['build:ts']);
  });
});

it('bin/lanes.js in a clone not yet built says to run npm install, in one line, exit 1', () => {
  const root = mkdtempSync(join(tmpdir(), 'lanes-unbuilt-'));
  roots.push(root);
  mkdirSync(join(root, 'bin'));
  copyFileSync(new URL('../../../bin/lanes.js', import.meta.url), join(root, 'bin/lanes.js'));
  const run = spawnSync(process.execPath, [join(root, 'bin/lanes.js'), '--version'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe('lanes: dist/ is not built; run `npm install` (or `npm run build`) in this clone first\n');
});
