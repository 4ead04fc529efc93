// `lanes produce <topic>`: one record per stdin line, batched. A batch closes when it reaches
// `--batch-size` records or `--batch-bytes`, or when stdin goes quiet for `--linger-ms` (so typed
// lines are sent at once). Batches are sent in order; up to `inFlightMax` Produce requests are
// pipelined, and stdin is paused beyond that.
//
// Partitions: `--partition` pins one; otherwise a keyed record goes where Kafka's default
// partitioner puts it (murmur2 of the key), and keyless records of one batch go together to the
// next partition in turn (sticky per batch, as KIP-480).
//
// An unknown topic is created on first use when the broker auto-creates topics (Kafka's
// auto.create.topics.enable; `lanes start` does by default), as for any other producer; otherwise
// the error says how to create it.

import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { partitionForKey } from '../../core/client/partitioner.js';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { produceByNameVersionMax, type ProduceResponse } from '../../core/protocol/messages/produce.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import type { RecordHeader, RecordInput } from '../../core/records/record.js';
import { Compression } from '../../core/records/record_batch.js';
import '../zstd_codec.js'; // zstd in the codec registry, for --compression zstd
import { describeErrorCode } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { type Cluster, type TopicLayout } from '../net/cluster.js';
import { addConnectionOptions, collect, nonNegativeInteger, positiveInteger, withCluster, writeOut, type ConnectionOptions } from './common.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

const inFlightMax = 8;
const textEncoder = new TextEncoder();

interface ProduceOptions extends ConnectionOptions {
  keySeparator?: string;
  partition?: number;
  acks: number;
  compression: keyof typeof Compression;
  header?: string[];
  batchSize: number;
  batchBytes: number;
  lingerMs: number;
  quiet?: boolean;
}

function acksValue(value: string): number {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0' || value === '1') return Number(value);
  throw new InvalidArgumentError('expected all, -1, 0 or 1');
}

export function parseHeaders(entries: readonly string[]): RecordHeader[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new CliError(`--header ${entry}: expected key=value`);
    return { key: entry.slice(0, at), value: textEncoder.encode(entry.slice(at + 1)) };
  });
}

/** One stdin line as a record: split at the first separator when one is given. */
export function lineToRecord(line: string, keySeparator: string | undefined, headers: RecordHeader[], timestamp: number): RecordInput {
  if (keySeparator !== undefined && keySeparator !== '') {
    const at = line.indexOf(keySeparator);
    if (at >= 0) {
      return { key: textEncoder.encode(line.slice(0, at)), value: textEncoder.encode(line.slice(at + keySeparator.length)), headers, timestamp };
    }
  }
  return { key: null, value: textEncoder.encode(line), headers, timestamp };
}

interface PartitionSummary {
  count: number;
  offsetFirst: number;
  offsetLast: number;
}

class Sender {
  readonly #cluster: Cluster;
  readonly #layout: TopicLayout;
  readonly #options: ProduceOptions;
  #nextKeylessPartition = 0;
  #inFlight = 0;
  #chain: Promise<void> = Promise.resolve();
  #written: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  readonly summary = new Map<number, PartitionSummary>();
  produced = 0;

  constructor(cluster: Cluster, layout: TopicLayout, options: ProduceOptions) {
    this.#cluster = cluster;
    this.#layout = layout;
    this.#options = options;
    this.#nextKeylessPartition = Math.floor(Math.random() * layout.partitions.length);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Queues one batch of records. Requests are written strictly in call order (each write waits
   * for the previous one to be on its socket); their answers are awaited in the same order.
   */
  send(records: RecordInput[], onSettled: () => void): void {
    const byPartition = this.#partitionRecords(records);
    this.#inFlight++;
    const written = this.#written.then(() => this.#write(byPartition));
    this.#written = written.then(
      () => undefined,
      () => undefined,
    );
    const answer = written.then((answers) => Promise.all(answers));
    answer.catch(() => undefined);
    this.#chain = this.#chain
      .then(() => answer)
      .then(
        () => undefined,
        (error: unknown) => {
          this.#failure ??= error;
        },
      )
      .finally(() => {
        this.#inFlight--;
        onSettled();
      });
  }

  async flushed(): Promise<void> {
    await this.#chain;
    if (this.#failure !== null) throw this.#failure;
  }

  #partitionRecords(records: RecordInput[]): Map<number, RecordInput[]> {
    const count = this.#layout.partitions.length;
    const keyless = this.#layout.partitions[this.#nextKeylessPartition % count].partitionIndex;
    this.#nextKeylessPartition = (this.#nextKeylessPartition + 1) % count;
    const byPartition = new Map<number, RecordInput[]>();
    for (const record of records) {
      const partition =
        this.#options.partition ?? (record.key === null ? keyless : this.#layout.partitions[partitionForKey(record.key, count)].partitionIndex);
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [record]);
      else list.push(record);
    }
    return byPartition;
  }

  /** Writes one Produce request per leader; resolves, once written, with their answers. */
  async #write(byPartition: Map<number, RecordInput[]>): Promise<Promise<void>[]> {
    const byLeader = new Map<number, { partitionIndex: number; records: Uint8Array; count: number }[]>();
    const compression = Compression[this.#options.compression];
    for (const [partition, records] of byPartition) {
      const leader = this.#layout.leaders.get(partition);
      if (leader === undefined) throw new CliError(`topic '${this.#layout.name}' has no partition ${partition}`);
      const batch = encodeRecordBatch(records, { compression });
      const list = byLeader.get(leader) ?? [];
      list.push({ partitionIndex: partition, records: batch, count: records.length });
      byLeader.set(leader, list);
    }
    const topicName = this.#layout.name;
    const answers: Promise<void>[] = [];
    for (const [leader, partitions] of byLeader) {
      const connection = await this.#cluster.connection(leader);
      const version = Math.min(connection.version(ApiKey.Produce), produceByNameVersionMax);
      const body = {
        transactionalId: null,
        acks: this.#options.acks,
        timeoutMs: this.#options.timeout,
        topics: [{ topicName, topicId: zeroTopicId(), partitions: partitions.map(({ partitionIndex, records }) => ({ partitionIndex, records })) }],
      };
      if (this.#options.acks === 0) {
        answers.push(
          connection.sendWithoutResponse(ApiKey.Produce, body, { version }).then(() => {
            for (const p of partitions) this.#count(p.partitionIndex, p.count, -1);
          }),
        );
        continue;
      }
      const response = connection.send(ApiKey.Produce, body, { timeoutMs: this.#options.timeout + 5_000, version });
      answers.push(response.then((answer) => this.#check(answer, partitions)));
    }
    return answers;
  }

  #check(response: ProduceResponse, partitions: readonly { partitionIndex: number; count: number }[]): void {
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        if (partition.errorCode !== ErrorCode.NONE) {
          const detail = partition.errorMessage ?? partition.recordErrors[0]?.batchIndexErrorMessage ?? null;
          throw new CliError(
            `produce to ${topic.topicName}[${partition.partitionIndex}] failed: ${describeErrorCode(partition.errorCode)}${detail !== null ? `: ${detail}` : ''}`,
          );
        }
        const sent = partitions.find((p) => p.partitionIndex === partition.partitionIndex);
        if (sent !== undefined) this.#count(partition.partitionIndex, sent.count, partition.baseOffset);
      }
    }
  }

  #count(partition: number, count: number, baseOffset: number): void {
    this.produced += count;
    const summary = this.summary.get(partition);
    const last = baseOffset < 0 ? -1 : baseOffset + count - 1;
    if (summary === undefined) this.summary.set(partition, { count, offsetFirst: baseOffset, offsetLast: last });
    else {
      summary.count += count;
      if (summary.offsetFirst < 0) summary.offsetFirst = baseOffset;
      summary.offsetLast = Math.max(summary.offsetLast, last);
    }
  }
}

async function produce(cluster: Cluster, topic: string, options: ProduceOptions): Promise<void> {
  const layout = await cluster.topic(topic, true);
  if (options.partition !== undefined && !layout.leaders.has(options.partition)) {
    throw new CliError(`topic '${topic}' has no partition ${options.partition} (it has ${layout.partitions.length})`);
  }
  const headers = parseHeaders(options.header ?? []);
  const sender = new Sender(cluster, layout, options);
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  let batch: RecordInput[] = [];
  let batchBytes = 0;
  let linger: NodeJS.Timeout | null = null;
  let paused = false;

  const flush = () => {
    if (linger !== null) clearTimeout(linger);
    linger = null;
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    batchBytes = 0;
    sender.send(records, () => {
      if (paused && sender.inFlight < inFlightMax) {
        paused = false;
        input.resume();
      }
    });
    if (sender.inFlight >= inFlightMax && !paused) {
      paused = true;
      input.pause();
    }
  };

  await new Promise<void>((resolve) => {
    input.on('line', (line) => {
      if (sender.failure !== null) return;
      const record = lineToRecord(line, options.keySeparator, headers, Date.now());
      batch.push(record);
      batchBytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 16;
      if (batch.length >= options.batchSize || batchBytes >= options.batchBytes) flush();
      else if (linger === null) linger = setTimeout(flush, options.lingerMs);
    });
    input.once('close', () => {
      flush();
      resolve();
    });
  });
  await sender.flushed();
  if (options.quiet === true) return;
  const parts = [...sender.summary]
    .sort((a, b) => a[0] - b[0])
    .map(([partition, s]) => {
      if (s.offsetFirst < 0) return `partition ${partition}: ${s.count}`;
      if (s.offsetFirst === s.offsetLast) return `partition ${partition}: offset ${s.offsetFirst}`;
      return `partition ${partition}: offsets ${s.offsetFirst}-${s.offsetLast}`;
    });
  const detail = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  await writeOut(`produced ${sender.produced} record${sender.produced === 1 ? '' : 's'} to ${topic}${detail}\n`);
}

export function registerProduceCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('produce')
      .description('produce stdin lines as records (one record per line)')
      .argument('<topic>', 'topic to produce to')
      .option('-k, --key-separator <s>', 'split each line at the first <s> into key and value')
      .addOption(new Option('-p, --partition <n>', 'produce every record to this partition').argParser(nonNegativeInteger))
      .addOption(new Option('--acks <acks>', 'all (-1), 1 or 0').argParser(acksValue).default(-1, 'all'))
      .addOption(new Option('-z, --compression <codec>', 'batch compression').choices(Object.keys(Compression)).default('none'))
      .option('-H, --header <key=value>', 'header added to every record, repeatable', collect)
      .addOption(new Option('--batch-size <n>', 'records per batch at most').argParser(positiveInteger).default(1000))
      .addOption(new Option('--batch-bytes <n>', 'bytes per batch at most (before compression)').argParser(positiveInteger).default(512 * 1024))
      .addOption(new Option('--linger-ms <ms>', 'send a partial batch after stdin is quiet this long').argParser(nonNegativeInteger).default(10))
      .option('-q, --quiet', 'do not print the summary line'),
  ).action((topic: string, options: ProduceOptions) => withCluster(options, (cluster) => produce(cluster, topic, options)));
}
