// kcat (librdkafka, from Debian's packages) for the compatibility tests: where it is, and one run
// of it against a broker with its exit code and output. Tests skip themselves when it is missing
// (`.ci/run` installs it), naming the package in a warning.
import { execFileSync, spawn } from 'node:child_process';

function findKcat(): string | null {
  try {
    return execFileSync('which', ['kcat'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The kcat binary, or null when it is not installed. */
export const kcatBinary: string | null = findKcat();

/** Warns once per test file that `what` is skipped for want of kcat; returns whether it is. */
export function skipWithoutKcat(what: string): boolean {
  if (kcatBinary !== null) return false;
  console.warn(`kcat is not installed (apt-get install kcat): skipping ${what}`);
  return true;
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
