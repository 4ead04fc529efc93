// `lanes consume <topic>`: prints records, either from partitions it picks itself (all, or
// `--partition`), or as a member of consumer group `--group` (range assignor, committing what
// it printed after every fetch, leaving the group on exit).
//
// The loop: one Fetch per partition leader per round (long poll of `fetchMaxWaitMs`, on a
// connection of its own so heartbeats and commits never queue behind it), print, advance,
// commit (group mode). It stops after `--count` records, at the end of every partition with
// `--exit-at-end` (the end moves as the fetches report new high watermarks, as kcat -e), or on
// SIGINT/SIGTERM, committing and leaving before it exits.

import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import type { FetchResponse } from '../../core/protocol/messages/fetch.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { readBatches } from '../../core/records/record_reader.js';
import '../zstd_codec.js'; // zstd in the codec registry, for reading fetched batches
import { describeErrorCode } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { parseBrokers, partitionKey, type Cluster, type TopicLayout } from '../net/cluster.js';
import type { PullMember } from '../client/pull_member.js';
import { addConnectionOptions, collectPartitions, positiveInteger, reportFailure, withCluster, writeOut, type ConnectionOptions } from './common.js';
import { compileFormat, type RecordFormatter } from './record_format.js';
import { needsLogStart, parseStartPosition, resolveStart, startPositionHelp, type StartPosition } from './start_position.js';
import { fetchByNameVersionMax } from '../../core/protocol/messages/fetch.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

const fetchMaxWaitMs = 500;
const fetchBytesMax = 16 * 1024 * 1024;
const partitionFetchBytesMax = 4 * 1024 * 1024;

interface ConsumeOptions extends ConnectionOptions {
  group?: string;
  partition?: number[];
  from: StartPosition;
  count?: number;
  exitAtEnd?: boolean;
  format: string;
  sessionTimeout: number;
}

function startFrom(value: string): StartPosition {
  const parsed = parseStartPosition(value);
  if ('problem' in parsed) throw new InvalidArgumentError(parsed.problem);
  return parsed;
}

/** Where one partition is being read, and how far it went when last looked at. */
interface Cursor {
  topic: string;
  partition: number;
  /** Next offset to read. */
  position: number;
  /** Log end offset (high watermark) when last seen; −1 before the first look. */
  end: number;
  /** The position last committed (group mode). */
  committed: number;
}

class Consumer {
  readonly #cluster: Cluster;
  readonly #options: ConsumeOptions;
  readonly #formatter: RecordFormatter;
  #layout: TopicLayout;
  cursors: Cursor[] = [];
  printed = 0;
  stopping = false;

  constructor(cluster: Cluster, layout: TopicLayout, options: ConsumeOptions) {
    this.#cluster = cluster;
    this.#layout = layout;
    this.#options = options;
    this.#formatter = compileFormat(options.format);
  }

  get done(): boolean {
    if (this.stopping) return true;
    if (this.#options.count !== undefined && this.printed >= this.#options.count) return true;
    return this.#options.exitAtEnd === true && this.cursors.every((c) => c.end >= 0 && c.position >= c.end);
  }

  /** Cursors for `partitions`, starting at `committed` where given, else at `--from`. */
  async place(partitions: readonly number[], committed: ReadonlyMap<number, number> = new Map()): Promise<void> {
    const topic = this.#layout.name;
    const layouts = new Map([[topic, this.#layout]]);
    const ends = await this.#cluster.listOffsets(partitions.map((partition) => ({ topic, partition, timestamp: -1 })), layouts);
    const from = this.#options.from;
    const needStarts = partitions.filter((p) => (committed.get(p) ?? -1) < 0);
    const lookup = async (timestamp: number): Promise<Map<string, number>> =>
      needStarts.length === 0 ? new Map() : this.#cluster.listOffsets(needStarts.map((partition) => ({ topic, partition, timestamp })), layouts);
    const starts = needsLogStart(from) ? await lookup(-2) : new Map<string, number>();
    const atTimestamp = from.kind === 'timestamp' ? await lookup(from.ms) : new Map<string, number>();
    this.cursors = partitions.map((partition) => {
      const key = partitionKey(topic, partition);
      const end = ends.get(key) ?? -1;
      const stored = committed.get(partition) ?? -1;
      const position = stored >= 0 ? stored : resolveStart(from, starts.get(key) ?? 0, Math.max(end, 0), atTimestamp.get(key) ?? -1);
      return { topic, partition, position, end, committed: stored };
    });
  }

  /** One fetch per leader; prints what came back and advances the cursors. */
  async round(): Promise<void> {
    const active = this.cursors.filter((c) => !(this.#options.exitAtEnd === true && c.end >= 0 && c.position >= c.end));
    if (active.length === 0) return;
    const byLeader = new Map<number, Cursor[]>();
    for (const cursor of active) {
      const leader = this.#layout.leaders.get(cursor.partition) ?? -1;
      const list = byLeader.get(leader) ?? [];
      list.push(cursor);
      byLeader.set(leader, list);
    }
    const responses = await Promise.all(
      [...byLeader].map(async ([leader, cursors]) => {
        const connection = await this.#cluster.connection(leader, 'fetch');
        const response = await connection.send(
          ApiKey.Fetch,
          {
            clusterId: null,
            replicaId: -1,
            replicaState: { replicaId: -1, replicaEpoch: -1 },
            maxWaitMs: fetchMaxWaitMs,
            minBytes: 1,
            maxBytes: fetchBytesMax,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [
              {
                topicName: this.#layout.name,
                topicId: zeroTopicId(),
                partitions: cursors.map((c) => ({
                  partitionIndex: c.partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: c.position,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1,
                  partitionMaxBytes: partitionFetchBytesMax,
                  replicaDirectoryId: zeroTopicId(),
                })),
              },
            ],
            forgottenTopicsData: [],
            rackId: '',
          },
          { timeoutMs: this.#options.timeout + fetchMaxWaitMs, version: Math.min(connection.version(ApiKey.Fetch), fetchByNameVersionMax) },
        );
        return { cursors, response };
      }),
    );
    let text = '';
    let refreshLayout = false;
    for (const { cursors, response } of responses) {
      const outcome = this.#take(cursors, response);
      text += outcome.text;
      refreshLayout ||= outcome.refreshLayout;
    }
    await writeOut(text);
    if (refreshLayout) this.#layout = await this.#cluster.topic(this.#layout.name);
  }

  #take(cursors: readonly Cursor[], response: FetchResponse): { text: string; refreshLayout: boolean } {
    if (response.errorCode !== ErrorCode.NONE) throw new CliError(`fetch from ${this.#layout.name}: ${describeErrorCode(response.errorCode)}`);
    let text = '';
    let refreshLayout = false;
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        const cursor = cursors.find((c) => c.partition === partition.partitionIndex);
        if (cursor === undefined) continue;
        switch (partition.errorCode) {
          case ErrorCode.NONE:
            break;
          case ErrorCode.OFFSET_OUT_OF_RANGE:
            // Kafka's auto.offset.reset: below the log start → earliest, beyond the end → latest.
            cursor.position = partition.logStartOffset >= 0 && cursor.position < partition.logStartOffset ? partition.logStartOffset : Math.max(0, partition.highWatermark);
            continue;
          case ErrorCode.NOT_LEADER_OR_FOLLOWER:
          case ErrorCode.LEADER_NOT_AVAILABLE:
          case ErrorCode.FENCED_LEADER_EPOCH:
          case ErrorCode.UNKNOWN_LEADER_EPOCH:
            refreshLayout = true;
            continue;
          case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
            throw new CliError(`topic '${topic.topicName}' partition ${partition.partitionIndex} does not exist (any more)`);
          default:
            throw new CliError(`fetch ${topic.topicName}[${partition.partitionIndex}]: ${describeErrorCode(partition.errorCode)}`);
        }
        cursor.end = partition.highWatermark;
        if (partition.records === null) continue;
        const bytes = concatChunks(partition.records);
        for (const batch of readBatches(bytes)) {
          if (this.#options.count !== undefined && this.printed >= this.#options.count) break;
          if (!batch.isControl) {
            for (const record of batch.records) {
              if (record.offset < cursor.position) continue;
              if (this.#options.count !== undefined && this.printed >= this.#options.count) break;
              text += this.#formatter({ ...record, topic: topic.topicName, partition: partition.partitionIndex });
              this.printed++;
              cursor.position = record.offset + 1;
            }
          }
          if (this.#options.count === undefined || this.printed < this.#options.count) {
            cursor.position = Math.max(cursor.position, batch.lastOffset + 1);
          }
        }
      }
    }
    return { text, refreshLayout };
  }

  /** Positions that moved since the last commit, as OffsetCommit wants them. */
  uncommitted(): Map<string, Map<number, number>> {
    const offsets = new Map<string, Map<number, number>>();
    for (const cursor of this.cursors) {
      if (cursor.position === cursor.committed || cursor.position < 0) continue;
      const partitions = offsets.get(cursor.topic) ?? new Map<number, number>();
      partitions.set(cursor.partition, cursor.position);
      offsets.set(cursor.topic, partitions);
    }
    return offsets;
  }

  markCommitted(offsets: Map<string, Map<number, number>>): void {
    for (const cursor of this.cursors) {
      const offset = offsets.get(cursor.topic)?.get(cursor.partition);
      if (offset !== undefined) cursor.committed = offset;
    }
  }
}

async function consumeAssigned(consumer: Consumer, layout: TopicLayout, options: ConsumeOptions): Promise<void> {
  const partitions = options.partition ?? layout.partitions.map((p) => p.partitionIndex);
  await consumer.place(partitions);
  while (!consumer.done) await consumer.round();
}

async function consumeInGroup(consumer: Consumer, layout: TopicLayout, groupId: string, options: ConsumeOptions): Promise<void> {
  // The group membership runs on the client's member state machine, over its own connections.
  // Loaded here, not at startup: only --group needs the client (and the logger, pino), and every
  // command pays its imports.
  const [{ PullMember }, { WirePort }, { cliLogger, componentLogger }] = await Promise.all([import('../client/pull_member.js'), import('../client/wire_port.js'), import('../logger.js')]);
  const port = new WirePort({ brokers: parseBrokers(options.brokers), clientId: options.clientId, requestTimeoutMs: options.timeout, logger: componentLogger(cliLogger(), 'cli') });
  const commit = async () => {
    const offsets = consumer.uncommitted();
    if (await member.commit(offsets)) consumer.markCommitted(offsets);
  };
  const member: PullMember = new PullMember(port, {
    groupId,
    topics: [layout.name],
    clientId: options.clientId,
    logger: componentLogger(cliLogger(), 'cli', { groupId }),
    sessionTimeoutMs: options.sessionTimeout,
    rebalanceTimeoutMs: Math.max(options.sessionTimeout, 10_000),
    // Kafka's heartbeat.interval.ms is 3 s; at most 1 s lets a rebalance finish sooner for a tool.
    heartbeatIntervalMs: Math.min(1000, Math.max(1, Math.floor(options.sessionTimeout / 3))),
    // Eager (range): every partition is given up on a rebalance; commit what was printed first.
    onRevoked: async () => {
      await commit();
      consumer.cursors = [];
    },
  });
  let placed = 0; // the member's assignmentVersion the cursors follow; 0: not placed yet
  try {
    await member.start();
    for (;;) {
      if (member.failure !== null) throw member.failure;
      if (consumer.stopping) break;
      member.polled();
      if (member.assignmentVersion !== placed) {
        placed = member.assignmentVersion;
        const partitions = member.owned().get(layout.name) ?? [];
        await consumer.place(partitions, await member.committed(layout.name, partitions));
        continue; // the assignment may have moved on meanwhile
      }
      if (placed !== 0 && consumer.done) break;
      if (consumer.cursors.length === 0) {
        // Not assigned yet, or more members than partitions: wait for a rebalance.
        await sleep(fetchMaxWaitMs);
        continue;
      }
      await consumer.round();
      await commit();
    }
    if (member.failure === null) await commit();
  } finally {
    await member.stop().catch(() => undefined);
    await port.close();
  }
}

async function consume(cluster: Cluster, topic: string, options: ConsumeOptions): Promise<void> {
  if (options.group !== undefined && options.partition !== undefined) throw new CliError('--group and --partition cannot be used together');
  const layout = await cluster.topic(topic);
  for (const partition of options.partition ?? []) {
    if (!layout.leaders.has(partition)) throw new CliError(`topic '${topic}' has no partition ${partition} (it has ${layout.partitions.length})`);
  }
  const consumer = new Consumer(cluster, layout, options);
  const stop = () => {
    consumer.stopping = true;
  };
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') reportFailure(error);
    stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  try {
    if (options.group === undefined) await consumeAssigned(consumer, layout, options);
    else await consumeInGroup(consumer, layout, options.group, options);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', onStdoutError);
  }
}

export function registerConsumeCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('consume')
      .description('print records of a topic, alone or as a consumer group member')
      .argument('<topic>', 'topic to consume')
      .option('-g, --group <id>', 'join this consumer group (range assignor) and commit as records are printed')
      .option('-p, --partition <n>', 'read only these partitions (repeatable, or 0,2); not with --group', collectPartitions)
      .addOption(
        new Option('-o, --from <where>', `${startPositionHelp} (with --group: where a partition without a committed offset starts)`)
          .argParser(startFrom)
          .default({ kind: 'beginning' }, 'beginning'),
      )
      .addOption(new Option('-n, --count <n>', 'exit after printing n records').argParser(positiveInteger))
      .option('-e, --exit-at-end', 'exit once every partition is read to its end')
      .option('-f, --format <format>', "'json', or a format with %t %p %o %T %k %v %h (kcat style; one line per record)", '%v')
      .addOption(new Option('--session-timeout <ms>', 'group session timeout').argParser(positiveInteger).default(10_000)),
  ).action((topic: string, options: ConsumeOptions) => withCluster(options, (cluster) => consume(cluster, topic, options)));
}
