// What every client command shares: the connection options (`--brokers` or LANES_BROKERS,
// `--client-id`, `--timeout`), running a command with a cluster that is always closed, turning
// any failure into one line on stderr and a non-zero exit, and aligned tables.

import { Command, InvalidArgumentError, Option } from 'commander';
import { isLanesError } from '../../core/errors.js';
import { KafkaClientError } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { Cluster, ClusterError, parseBrokers } from '../net/cluster.js';

export const brokersDefault = '127.0.0.1:9092';

export interface ConnectionOptions {
  brokers: string;
  clientId: string;
  timeout: number;
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

export function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return parsed;
}

/** Accumulates a repeatable option (`-c a=1 -c b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Repeatable, comma-separated partition numbers: `--partition 0,2 --partition 5`. */
export function collectPartitions(value: string, previous: number[] | undefined): number[] {
  const parsed = value.split(',').map((part) => Number(part.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError('expected partition numbers (0, 1, … or 0,2)');
  return [...(previous ?? []), ...parsed];
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--brokers <host:port,...>', 'bootstrap brokers').env('LANES_BROKERS').default(brokersDefault))
    .addOption(new Option('--client-id <id>', 'client id sent to the broker').env('LANES_CLIENT_ID').default('lanes-cli'))
    .addOption(new Option('--timeout <ms>', 'request timeout in milliseconds').argParser(positiveInteger).default(30_000));
}

/** Exit status of a failed command. */
export const exitFailure = 1;

/** One line, whatever the error: no stack, no newlines. */
export function errorLine(error: unknown): string {
  let message: string;
  if (error instanceof CliError || error instanceof ClusterError || error instanceof KafkaClientError || isLanesError(error)) message = error.message;
  else if (error instanceof Error) message = error.message;
  else message = String(error);
  return `lanes: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

export function reportFailure(error: unknown): void {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exitCode = exitFailure;
}

/**
 * Runs a command against the cluster: connects, runs `body`, closes every connection, and
 * reports a failure as one line on stderr with exit status 1.
 */
export async function withCluster(options: ConnectionOptions, body: (cluster: Cluster) => Promise<void>): Promise<void> {
  let cluster: Cluster | null = null;
  try {
    cluster = await Cluster.connect({ brokers: parseBrokers(options.brokers), clientId: options.clientId, requestTimeoutMs: options.timeout });
    await body(cluster);
  } catch (error) {
    reportFailure(error);
  } finally {
    cluster?.close();
  }
}

/** Columns aligned with two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Writes to stdout, waiting when the pipe is full. */
export async function writeOut(text: string): Promise<void> {
  if (text === '') return;
  if (process.stdout.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('close', done);
    process.stdout.on('error', done);
  });
}

export function printJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value, null, 2)}\n`);
}
