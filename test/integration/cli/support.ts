// Runs the built `lanes` (bin/lanes.js) as a child process, the way a user runs it, against an
// in-process broker on a free port.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnLanes } from '../../support/built_cli.js';
import { timeoutMs } from '../../support/timeouts.js';

/**
 * A run that takes longer than this is a hung CLI: kill it so the test fails with what the child
 * printed rather than at vitest's timeout (60 s at the same scale) with nothing to go on.
 */
const runBoundMs = timeoutMs(45_000);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** LANES_BROKERS for the child; undefined leaves it unset. */
  brokers?: string;
  stdin?: string;
  env?: Record<string, string>;
}

export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
  const env: Record<string, string | undefined> = { ...process.env, LANES_LOG_LEVEL: 'warn', ...options.env };
  delete env.LANES_BROKERS;
  if (options.brokers !== undefined) env.LANES_BROKERS = options.brokers;
  return spawnLanes(args, { env, stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
}

/** Runs one command to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), runBoundMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Rows of a formatTable() block whose header row starts with `firstHeader`, split on spaces. */
export function tableRows(output: string, header: string): string[][] {
  // `header` is the table's first column name, or its first few ("GROUP TOPIC") to tell apart
  // tables that start with the same column.
  const words = header.split(' ');
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.trim().split(/\s+/).slice(0, words.length).join(' ') === header);
  if (start < 0) throw new Error(`no table headed ${header} in:\n${output}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

/** Asserts the shape every failure must have: exit 1, one line on stderr, nothing on stdout. */
export function failureLine(result: CliResult): string {
  if (result.code !== 1) throw new Error(`expected exit 1, got ${result.code}; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${result.stderr}`);
  if (result.stdout !== '') throw new Error(`expected nothing on stdout, got:\n${result.stdout}`);
  return lines[0];
}
