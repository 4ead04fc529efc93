// One group member of a real-time `lanes lab` run, on its own worker thread: the Lanes client over
// the Kafka protocol to the run's broker, with the scenario's protocol, assignor, session timeout,
// max.poll.interval.ms, max.poll.records and commit mode, and a processing delay per record.
//
// Why a thread per member: a SIGKILL is modelled by `worker.terminate()`, which stops this thread
// with no LeaveGroup and no last commit (its sockets close, its session has to expire), exactly
// what a killed process leaves behind; and a slow member's delays never hold up another's.
//
// It tells the engine (parent port) what it owns after every rebalance callback and which offsets
// it processed (ranges per partition, batched), so the engine can count records processed twice
// and records skipped. The engine tells it to slow down or to leave.
//
// A poll is `maxPollRecords` records: a fetched batch is processed in polls of that many, each
// committed per the commit mode, and the records past one poll stay buffered for the next (as a
// real consumer's fetch buffer), never fetched again. The client measures max.poll.interval.ms
// per fetch round, so the engine bounds a fetch (`fetchBytesPerPartition`) to about one poll per
// partition. Processing keeps an absolute schedule (`doneAt`): the time owed is slept off when it
// reaches a few ms, and a timer that fires late is made up by the next records, not added on.
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka } from '../client/lanes.js';
import { kafkaLogLevel as logLevel } from '../log_lines.js';
import type { EachBatchPayload, TopicPartitions } from '../client/types.js';
import type { MemberCommand, MemberMessage, MemberSettings, ProcessedRange } from './member_protocol.js';
import { Prng } from '../../core/prng.js';
import { perRecordDelayMs } from './processing_time.js';

const settings = workerData as MemberSettings;
const port = parentPort!;
const post = (message: MemberMessage) => port.postMessage(message);

let slowFactor = 1;
let leaving = false;
const owned = new Set<string>();
let pending: ProcessedRange[] = [];
const prng = new Prng(settings.seed);
const random = () => prng.next();

const kafka = new Kafka({ clientId: settings.member, brokers: settings.brokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({
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

function reportOwned(): void {
  post({ type: 'owned', partitions: [...owned] });
}

function dropOwned(gone: readonly TopicPartitions[]): void {
  flushProcessed();
  for (const { topic, partitions } of gone) for (const partition of partitions) owned.delete(`${topic}-${partition}`);
  reportOwned();
}

/**
 * The poll being processed: records from `from` up to `done` are processed and not reported yet.
 * A killed member (worker.terminate()) reports nothing more, so what it processed is reported every
 * `reportEveryMs` while a poll is in hand, not only when the poll ends.
 */
let inPoll: { name: string; from: number; done: number } | null = null;
const reportEveryMs = 10;

function flushProcessed(): void {
  if (inPoll !== null && inPoll.done > inPoll.from) {
    pending.push([inPoll.name, inPoll.from, inPoll.done]);
    inPoll.from = inPoll.done;
  }
  if (pending.length === 0) return;
  post({ type: 'processed', ranges: pending });
  pending = [];
}
const flushTimer = setInterval(flushProcessed, reportEveryMs);

/** When the records processed so far are done, on performance.now()'s clock; idle time is not owed. */
let doneAt = 0;
/** Below this much owed time a record does not sleep: timers are coarser than one record. */
const sleepMsMin = 4;
async function process(): Promise<void> {
  doneAt = Math.max(doneAt, performance.now()) + perRecordDelayMs(settings.processing, settings.scale, random) * slowFactor;
  const owed = doneAt - performance.now();
  if (owed >= sleepMsMin) await sleep(owed);
}

async function eachBatch({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
  const name = `${batch.topic}-${batch.partition}`;
  const commit = (offset: number) => commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(offset) }] }] });
  for (let start = 0; start < batch.messages.length; start += settings.maxPollRecords) {
    if (!isRunning() || isStale()) return;
    const records = batch.messages.slice(start, start + settings.maxPollRecords);
    const first = Number(records[0].offset);
    // Commit before processing: a crash from here on skips what was not processed yet.
    if (settings.commit === 'before') await commit(Number(records[records.length - 1].offset) + 1);
    let done = first;
    const poll = { name, from: first, done: first };
    inPoll = poll;
    for (const record of records) {
      if (!isRunning() || isStale()) break;
      await process();
      done = Number(record.offset) + 1;
      poll.done = done;
      resolveOffset(record.offset);
    }
    inPoll = null;
    if (done > poll.from) pending.push([name, poll.from, done]);
    if (settings.commit === 'after' && done > first && !isStale()) await commit(done);
    if (done < first + records.length) return;
  }
}

port.on('message', (command: MemberCommand) => {
  if (command.type === 'slow') slowFactor = command.factor;
  else if (command.type === 'leave' && !leaving) {
    leaving = true;
    // Graceful: the running batch finishes, the resolved offsets are committed, then LeaveGroup.
    void consumer.disconnect().finally(() => {
      owned.clear();
      flushProcessed();
      clearInterval(flushTimer);
      post({ type: 'left' });
    });
  }
});

// Loaded and waiting: the engine starts the run's clock once every member is ready, and a member
// joining later connects at its time, not after a thread's start-up on a busy machine.
post({ type: 'ready' });
await new Promise<void>((resolve) => {
  const onStart = (command: MemberCommand) => {
    if (command.type !== 'start') return;
    port.off('message', onStart);
    resolve();
  };
  port.on('message', onStart);
});
// A member given no partitions gets no assignment callback; it says it owns nothing, or the
// engine would wait for it to settle the rebalance.
consumer.on<{ memberAssignment: Record<string, number[]> }>(consumer.events.GROUP_JOIN, ({ payload }) => {
  if (owned.size === 0 && Object.values(payload.memberAssignment).every((partitions) => partitions.length === 0)) reportOwned();
});
await consumer.connect();
await consumer.subscribe({ topics: [...settings.topics], fromBeginning: true });
await consumer.run({
  autoCommit: settings.commit === 'auto',
  ...(settings.commit === 'auto' ? { autoCommitInterval: settings.autoCommitIntervalMs } : {}),
  eachBatchAutoResolve: false,
  eachBatch,
  onPartitionsAssigned: (assigned) => {
    for (const { topic, partitions } of assigned) for (const partition of partitions) owned.add(`${topic}-${partition}`);
    reportOwned();
  },
  onPartitionsRevoked: (revoked) => dropOwned(revoked),
  onPartitionsLost: (lost) => dropOwned(lost),
});
post({ type: 'running' });
