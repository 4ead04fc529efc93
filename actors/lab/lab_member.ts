// One group member of a real-time `lanes lab` run: the Lanes client over the Kafka protocol to the
// run's broker, with the scenario's protocol, assignor, session timeout, max.poll.interval.ms,
// max.poll.records and commit mode, and a processing delay per record. Several live on one member
// host thread (member_host.ts); nothing here blocks, so one member's processing time (slept off)
// never delays another's heartbeats.
//
// It tells the engine what it owns after every rebalance callback and which offsets it processed
// (ranges per partition, batched), so the engine can count records processed twice and records
// skipped. The engine tells it to slow down, to leave (commit, LeaveGroup, disconnect) or to die:
// `kill` closes every socket of its client at once and refuses new ones (member_sockets.ts), so
// the broker sees connections close with no LeaveGroup and no last commit, and has to let the
// session expire, as after a SIGKILL; from then on the member reports nothing.
//
// A poll is `maxPollRecords` records: a fetched batch is processed in polls of that many, each
// committed per the commit mode, and the records past one poll stay buffered for the next (as a
// real consumer's fetch buffer), never fetched again. The client measures max.poll.interval.ms
// per fetch round, so the engine bounds a fetch (`fetchBytesPerPartition`) to about one poll per
// partition. Processing keeps an absolute schedule (`doneAt`): the time owed is slept off when it
// reaches a few ms, and a timer that fires late is made up by the next records, not added on.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka } from '../client/lanes.js';
import { kafkaLogLevel as logLevel } from '../log_lines.js';
import type { Consumer } from '../client/consumer.js';
import type { EachBatchPayload, TopicPartitions } from '../client/types.js';
import type { MemberMessage, MemberSettings, ProcessedRange } from './member_protocol.js';
import { Prng } from '../../core/prng.js';
import { perRecordDelayMs } from './processing_time.js';
import { MemberSockets } from './member_sockets.js';

/** How often a poll in hand reports what it processed: a killed member reports nothing more. */
const reportEveryMs = 10;
/** Below this much owed time a record does not sleep: timers are coarser than one record. */
const sleepMsMin = 4;

export class LabMember {
  readonly #settings: MemberSettings;
  readonly #post: (message: MemberMessage) => void;
  readonly #sockets = new MemberSockets();
  readonly #consumer: Consumer;
  readonly #random: () => number;
  readonly #owned = new Set<string>();
  #pending: ProcessedRange[] = [];
  /** The poll being processed: records from `from` up to `done` are processed and not reported yet. */
  #inPoll: { name: string; from: number; done: number } | null = null;
  #flushTimer: NodeJS.Timeout | null = null;
  #slowFactor = 1;
  #leaving = false;
  /** When the records processed so far are done, on performance.now()'s clock; idle time is not owed. */
  #doneAt = 0;

  constructor(settings: MemberSettings, post: (message: MemberMessage) => void) {
    this.#settings = settings;
    this.#post = post;
    const prng = new Prng(settings.seed);
    this.#random = () => prng.next();
    const kafka = new Kafka({ clientId: settings.member, brokers: settings.brokers, logLevel: logLevel.NOTHING, socketFactory: this.#sockets.factory });
    this.#consumer = kafka.consumer({
      groupId: settings.group,
      ...(settings.protocol === 'consumer'
        ? { groupProtocol: 'consumer' as const, groupRemoteAssignor: settings.assignor }
        : { partitionAssigners: [settings.assignor], sessionTimeout: settings.sessionTimeoutMs, heartbeatInterval: settings.heartbeatIntervalMs }),
      maxPollInterval: settings.maxPollIntervalMs,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: settings.fetchBytesPerPartition,
      metadataMaxAge: 200,
      lagInterval: 0,
    });
  }

  /** Connects, joins and consumes until told to leave or killed. */
  async start(): Promise<void> {
    const consumer = this.#consumer;
    this.#flushTimer = setInterval(() => this.#flushProcessed(), reportEveryMs);
    // A member whose assignment did not change (given nothing, or under cooperative-sticky keeping
    // exactly what it had) gets no assignment callback; it says what it owns, or the engine would
    // wait for it to settle the rebalance.
    consumer.on<{ memberAssignment: Record<string, number[]> }>(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => `${topic}-${partition}`));
      if (assigned.length === this.#owned.size && assigned.every((name) => this.#owned.has(name))) this.#reportOwned();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.#settings.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: this.#settings.commit === 'auto',
      ...(this.#settings.commit === 'auto' ? { autoCommitInterval: this.#settings.autoCommitIntervalMs } : {}),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#eachBatch(payload),
      onPartitionsAssigned: (assigned) => {
        for (const { topic, partitions } of assigned) for (const partition of partitions) this.#owned.add(`${topic}-${partition}`);
        this.#reportOwned();
      },
      onPartitionsRevoked: (revoked) => this.#dropOwned(revoked),
      onPartitionsLost: (lost) => this.#dropOwned(lost),
    });
  }

  slow(factor: number): void {
    this.#slowFactor = factor;
  }

  /** Graceful: the running batch finishes, the resolved offsets are committed, then LeaveGroup. */
  async leave(): Promise<void> {
    if (this.#leaving || this.#sockets.killed) return;
    this.#leaving = true;
    await this.#consumer.disconnect().catch(() => {});
    this.#owned.clear();
    this.#flushProcessed();
    this.#stopReporting();
    this.#send({ type: 'left' });
  }

  /**
   * As a SIGKILL: every socket closed now, nothing more said to anyone. What it processed up to
   * this instant is reported first: the engine counts records processed twice and skipped from
   * those reports, and a record processed before the kill was processed, whether or not its
   * 10 ms report came round (its commit may already have reached the broker).
   */
  kill(): void {
    if (this.#sockets.killed) return;
    this.#flushProcessed();
    this.#sockets.kill();
    this.#stopReporting();
    // Stops the client's loops: their requests find no socket (refused), so no LeaveGroup and no
    // commit reaches the broker.
    void this.#consumer.disconnect().catch(() => {});
  }

  get killed(): boolean {
    return this.#sockets.killed;
  }

  #send(message: MemberMessage): void {
    if (!this.#sockets.killed) this.#post(message);
  }

  #stopReporting(): void {
    if (this.#flushTimer !== null) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
  }

  #reportOwned(): void {
    this.#send({ type: 'owned', partitions: [...this.#owned] });
  }

  #dropOwned(gone: readonly TopicPartitions[]): void {
    this.#flushProcessed();
    for (const { topic, partitions } of gone) for (const partition of partitions) this.#owned.delete(`${topic}-${partition}`);
    this.#reportOwned();
  }

  #flushProcessed(): void {
    const poll = this.#inPoll;
    if (poll !== null && poll.done > poll.from) {
      this.#pending.push([poll.name, poll.from, poll.done]);
      poll.from = poll.done;
    }
    if (this.#pending.length === 0) return;
    this.#send({ type: 'processed', ranges: this.#pending });
    this.#pending = [];
  }

  async #process(): Promise<void> {
    this.#doneAt = Math.max(this.#doneAt, performance.now()) + perRecordDelayMs(this.#settings.processing, this.#settings.scale, this.#random) * this.#slowFactor;
    const owed = this.#doneAt - performance.now();
    if (owed >= sleepMsMin) await sleep(owed);
  }

  async #eachBatch({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const settings = this.#settings;
    const name = `${batch.topic}-${batch.partition}`;
    const going = () => !isRunning() || isStale() || this.#sockets.killed;
    const commit = (offset: number) => commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(offset) }] }] });
    for (let start = 0; start < batch.messages.length; start += settings.maxPollRecords) {
      if (going()) return;
      const records = batch.messages.slice(start, start + settings.maxPollRecords);
      const first = Number(records[0].offset);
      // Commit before processing: a crash from here on skips what was not processed yet.
      if (settings.commit === 'before') await commit(Number(records[records.length - 1].offset) + 1);
      let done = first;
      const poll = { name, from: first, done: first };
      this.#inPoll = poll;
      for (const record of records) {
        if (going()) break;
        await this.#process();
        // Killed while it slept: the record's processing never finished.
        if (this.#sockets.killed) break;
        done = Number(record.offset) + 1;
        poll.done = done;
        resolveOffset(record.offset);
      }
      this.#inPoll = null;
      if (done > poll.from) this.#pending.push([name, poll.from, done]);
      if (settings.commit === 'after' && done > first && !isStale() && !this.#sockets.killed) await commit(done);
      if (done < first + records.length) return;
    }
  }
}
