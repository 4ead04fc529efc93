// `lanes bench`: the end-to-end benchmark of Lanes beside Redis Streams and NATS JetStream
// (bench/e2e/). This file only parses the flags; the benchmark is imported when the command
// runs, so `lanes --help` and the other commands never load it nor the peers' client libraries.

import { Command, InvalidArgumentError, Option } from 'commander';
import { positiveInteger } from './common.js';

interface BenchFlags {
  quick?: boolean;
  rounds?: number;
  records?: number;
  recordBytes: number;
  consumers: number;
  producers: number;
  systems?: string;
  rates?: number[];
  singleRate: number;
  latencyMs?: number;
  out: string;
  progress: boolean;
}

function rateList(value: string): number[] {
  const rates = value.split(',').map((part) => Number(part.trim().replace(/_/g, '').replace(/k$/i, '000')));
  if (rates.some((rate) => !Number.isInteger(rate) || rate < 1)) throw new InvalidArgumentError('expected records/s, comma separated (10000,50k)');
  return rates;
}

function count(value: string): number {
  return positiveInteger(value.replace(/_/g, ''));
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('end-to-end benchmark: Lanes (wire: our load generator, kafkajs, @platformatic/kafka; embedded) beside Redis Streams and NATS JetStream, interleaved rounds; table on stdout, JSON + SVG in --out')
    .option('--quick', 'fewer records and short latency runs (still 3 rounds): a check that every system runs, in a few minutes')
    .option('--rounds <n>', 'rounds; every system runs once per round (default 3)', positiveInteger)
    .option('--records <n>', 'records per throughput run, the same for every system (default 500000; quick 20000)', count)
    .option('--record-bytes <n>', 'bytes per record value', positiveInteger, 100)
    .option('--consumers <k>', 'K: consumers in the group', positiveInteger, 2)
    .option('--producers <n>', 'producer clients', positiveInteger, 2)
    .option(
      '--systems <ids>',
      'comma-separated: lanes-wire, lanes-wire-fsync, lanes-embedded, lanes-kafkajs, lanes-platformatic, lanes-confluent, redis, redis-aof, jetstream-memory, jetstream-file (default: all)',
    )
    .option('--rates <list>', 'latency runs at these records/s (default 10k,50k,100k)', rateList)
    .option('--single-rate <n>', 'single-record latency run: one record per send at this many sends/s; 0: none', (value: string) => (value.trim() === '0' ? 0 : count(value)), 5_000)
    .option('--latency-ms <n>', 'sending time of each latency run (default 3000; quick 400)', positiveInteger)
    .addOption(new Option('--out <dir>', 'where the JSON and SVG go').default('bench/results'))
    .option('--no-progress', 'no progress output on stderr')
    .action(async (flags: BenchFlags) => {
      const { runBench, fullDefaults, quickDefaults, defaultRates } = await import('../../bench/e2e/main.js');
      const defaults = flags.quick === true ? quickDefaults : fullDefaults;
      const latencyDurationMs = flags.latencyMs ?? defaults.latencyDurationMs;
      await runBench({
        quick: flags.quick === true,
        rounds: flags.rounds ?? defaults.rounds,
        records: flags.records ?? defaults.records,
        recordBytes: flags.recordBytes,
        consumers: flags.consumers,
        producers: flags.producers,
        systems: flags.systems === undefined ? [] : flags.systems.split(',').map((id) => id.trim()).filter((id) => id !== ''),
        rates: flags.rates ?? defaultRates,
        singleRecordRate: flags.singleRate,
        latencyDurationMs,
        latencyWarmupMs: Math.min(defaults.latencyWarmupMs, Math.floor(latencyDurationMs / 4)),
        drainTimeoutMs: defaults.drainTimeoutMs,
        outDir: flags.out,
        progress: flags.progress,
        command: ['lanes', ...process.argv.slice(2)].join(' '),
      });
    });
}
