// kcat (librdkafka, from Debian's packages) for the compatibility tests: where it is, and one run
// of it against a broker with its exit code and output. When it is missing, tests skip themselves
// with a warning naming the package, except in CI (`.ci/run` installs it), where they fail.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../integration/wire/server_fixture.js';
import { skipWithoutTool } from '../../support/required_tool.js';

function findKcat(): string | null {
  try {
    return execFileSync('which', ['kcat'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The kcat binary, or null when it is not installed. */
export const kcatBinary: string | null = findKcat();

/** Whether `what` skips for want of kcat (warning once per test file); throws in CI instead. */
export function skipWithoutKcat(what: string): boolean {
  return skipWithoutTool('kcat', kcatBinary !== null, 'apt-get install kcat', what);
}

export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kcat -b <address> ...args` with `input` on stdin and collects its output. */
export function runKcat(address: string, args: string[], input = ''): Promise<KcatResult> {
  if (kcatBinary === null) throw new Error('kcat is not installed');
  const binary = kcatBinary;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-b', address, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

export interface KcatFixture {
  /** Whether kcat is installed (the file's tests skip when it is not, outside CI). */
  readonly available: boolean;
  /** The test server, started before the file's tests. */
  readonly server: TestServer;
  /** Runs kcat against the test server. */
  run(args: string[], input?: string): Promise<KcatResult>;
}

/**
 * What a kcat test file sets up: the skip (or, in CI, the failure) without kcat, a test server
 * started before the file's tests and stopped after them, and kcat runs against it. Call it at
 * the file's top level.
 */
export function kcatWithTestServer(what: string): KcatFixture {
  skipWithoutKcat(what);
  let server: TestServer | undefined;
  beforeAll(async () => {
    if (kcatBinary !== null) server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): TestServer => {
    if (server === undefined) throw new Error('the kcat test server is not started (kcat missing, or used outside a test)');
    return server;
  };
  return {
    available: kcatBinary !== null,
    get server() {
      return started();
    },
    run: (args, input) => runKcat(started().address, args, input),
  };
}
