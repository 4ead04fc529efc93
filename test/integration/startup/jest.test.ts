// Goal: `startTestBroker()` from lanes/testing works under jest as README documents it (a broker
// per file in beforeAll/afterAll, one per test), not only under vitest: jest runs test files in
// VM contexts of its own, with its own resolver, and loads an ES-module-only package only under
// `--experimental-vm-modules`.
// Method: a project of its own in a temporary directory, with `lanes` in its node_modules (a link
// to this repository, so the built package: the bundle package.json exports), the fixture
// test file, and jest run as a user runs it; the test passes when jest reports the fixture's three
// tests passed and exits 0. jest is not a devDependency: `npm run clients:install` adds it, as it
// adds the optional clients; without it this file skips with a warning (and fails in CI).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh, repoRoot } from '../../support/built_cli.js';
import { skipWithoutTool } from '../../support/required_tool.js';
import { timeoutMs } from '../../support/timeouts.js';

function jestBin(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js');
  } catch {
    return null;
  }
}

const jest = jestBin();
const skip = skipWithoutTool('jest', jest !== null, 'npm run clients:install', 'startTestBroker under jest');
const fixture = fileURLToPath(new URL('./fixtures/start_test_broker.jest.mjs', import.meta.url));
const projects: string[] = [];

afterAll(() => {
  for (const project of projects) rmSync(project, { recursive: true, force: true });
});

/** A jest user's project: package.json, node_modules/lanes, the fixture. */
function userProject(): string {
  const project = mkdtempSync(join(tmpdir(), 'lanes-jest-'));
  projects.push(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'jest-user', private: true, type: 'module' }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(repoRoot, join(project, 'node_modules', 'lanes'), 'dir');
  copyFileSync(fixture, join(project, 'start_test_broker.jest.mjs'));
  return project;
}

describe.skipIf(skip)('startTestBroker under jest', () => {
  it('serves a broker per file and per test, and jest exits when the tests are done', { timeout: timeoutMs(120_000) }, async () => {
    assertDistFresh();
    const project = userProject();
    const args = ['--experimental-vm-modules', jest!, '--rootDir', project, '--ci', '--runInBand', '--testMatch', '**/*.jest.mjs', '--testEnvironment', 'node', '--transform', '{}'];
    const child = spawn(process.execPath, args, { cwd: project, env: { ...process.env, LANES_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Tests:\s+3 passed, 3 total/) });
  });
});
