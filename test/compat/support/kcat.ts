// kcat (librdkafka, from Debian's packages) for the compatibility tests: where it is, and one run
// of it against a broker with its exit code and output. When it is missing, tests skip themselves
// with a warning naming the package, except in CI (`.ci/run` installs it), where they fail.
import { execFileSync, spawn } from 'node:child_process';
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
