// Transactions survive kill -9: the built CLI (`lanes start --storage disk`) takes a seeded mix of
// transactional batches from three producers, plain batches and the coordinator's COMMIT and
// ABORT markers (WriteTxnMarkers) on two partitions, over raw frames; the test SIGKILLs it right
// after the last answer, reopens the data directory, and checks per partition that the last
// stable offset, the aborted transactions and what a read_committed reader sees are those of a
// simple model of what was acknowledged. Then it commits the transactions left open, and the last
// stable offset reaches the high watermark. Seeded: LANES_SEED=<n> replays a run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCliBroker } from '../../bench/support/cli_broker.js';
import { Broker } from '../../actors/host/broker.js';
import { decodeFetched } from '../../actors/client/messages.js';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { Prng, seedForRun } from '../support/prng.js';
import { RawClient } from './wire/raw_client.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const partitions = 2;
const producers = [101, 102, 103];
const steps = 150;
/**
 * Segments of about ten batches: transactions then span several, and the rebuild on open must
 * look further back than the newest two segments the producer state is rebuilt from.
 */
const smallSegments = [
  { name: 'segment.bytes', value: '1024' },
  { name: 'max.message.bytes', value: '1024' },
  // The batches carry timestamp 0: Kafka's default retention (7 days) would delete every rolled
  // segment, and the test reads the partitions from offset 0.
  { name: 'retention.ms', value: '-1' },
];

/** What the model keeps per partition: one entry per offset. */
type Entry = { kind: 'data'; producerId: number | null; transactional: boolean; value: string } | { kind: 'marker'; producerId: number; committed: boolean };

function expectedOf(entries: readonly Entry[]) {
  const open = new Map<number, number>();
  const aborted: { producerId: number; firstOffset: number }[] = [];
  entries.forEach((entry, offset) => {
    if (entry.kind === 'data') {
      if (entry.transactional && !open.has(entry.producerId!)) open.set(entry.producerId!, offset);
      return;
    }
    const first = open.get(entry.producerId);
    if (first === undefined) return;
    open.delete(entry.producerId);
    if (!entry.committed) aborted.push({ producerId: entry.producerId, firstOffset: first });
  });
  const lastStableOffset = Math.min(entries.length, ...open.values());
  const visible = entries.flatMap((entry, offset) => {
    if (entry.kind !== 'data' || offset >= lastStableOffset) return [];
    if (!entry.transactional) return [entry.value];
    const decision = entries.slice(offset + 1).find((later) => later.kind === 'marker' && later.producerId === entry.producerId);
    return decision?.kind === 'marker' && decision.committed ? [entry.value] : [];
  });
  return { open: [...open.keys()], aborted, lastStableOffset, visible };
}

const byFirstOffset = (a: { firstOffset: number; producerId: number }, b: { firstOffset: number; producerId: number }) => a.firstOffset - b.firstOffset || a.producerId - b.producerId;

/** Reads a partition read_committed from 0 in small fetches: the aborted list and the records a reader sees. */
async function readCommitted(broker: Broker, partition: number) {
  const aborted = new Map<string, { producerId: number; firstOffset: number }>();
  const visible: string[] = [];
  let offset = 0;
  let lastStableOffset = -1;
  for (;;) {
    const result = await broker.fetch('txn', partition, offset, 512, 'read_committed');
    lastStableOffset = result.lastStableOffset;
    try {
      if (result.batches.length === 0) break;
      for (const txn of result.abortedTransactions ?? []) aborted.set(`${txn.producerId}@${txn.firstOffset}`, txn);
      const decoded = decodeFetched(result.batches, offset, { verifyCrc: true, abortedTransactions: result.abortedTransactions });
      visible.push(...decoded.messages().map((message) => String(message.value)));
      offset = decoded.nextOffset;
    } finally {
      result.release();
    }
  }
  return { lastStableOffset, aborted: [...aborted.values()].sort(byFirstOffset), visible };
}

describe('transactions under kill -9', () => {
  it('recovers the last stable offset, the aborted transactions and what read_committed readers see', async () => {
    const seed = seedForRun('transactions crash test');
    const random = new Prng(seed);
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-txn-crash-'));
    dirs.push(dataDir);
    const server = await startCliBroker({ dataDir, shards: 2, onStderr: (text) => process.stderr.write(text) });
    const entries: Entry[][] = Array.from({ length: partitions }, () => []);
    try {
      const raw = await RawClient.connect(server.port);
      try {
        const created = await raw.request(ApiKey.CreateTopics, 4, { topics: [{ topicName: 'txn', numPartitions: partitions, replicationFactor: 1, assignments: [], configs: smallSegments }], timeoutMs: 10_000, validateOnly: false });
        expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);
        const sequences = new Map<string, number>();
        for (let step = 0; step < steps; step++) {
          const partition = random.int(0, partitions - 1);
          const producerId = random.pick(producers);
          const model = expectedOf(entries[partition]);
          const roll = random.next();
          if (roll < 0.25) {
            const committed = random.chance(0.5);
            const answer = await raw.request(ApiKey.WriteTxnMarkers, 1, {
              markers: [{ producerId, producerEpoch: 0, transactionResult: committed, topics: [{ name: 'txn', partitionIndexes: [partition] }], coordinatorEpoch: 0, transactionVersion: 0 }],
            });
            expect(answer.markers[0].topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
            entries[partition].push({ kind: 'marker', producerId, committed });
            continue;
          }
          const value = `s${seed}-${step}`;
          const plain = roll > 0.9;
          // A producer with a transaction open here may only write inside it.
          const transactional = !plain && (model.open.includes(producerId) || random.chance(0.8));
          const key = `${producerId}/${partition}`;
          const sequence = sequences.get(key) ?? 0;
          const batch = encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }], plain ? {} : { producerId, producerEpoch: 0, baseSequence: sequence, transactional });
          const response = await raw.request(ApiKey.Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 10_000, topics: [{ topicName: 'txn', topicId: zeroTopicId(), partitions: [{ partitionIndex: partition, records: batch }] }] });
          const answer = response.responses[0].partitions[0];
          expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: entries[partition].length });
          if (!plain) sequences.set(key, sequence + 1);
          entries[partition].push({ kind: 'data', producerId: plain ? null : producerId, transactional, value });
        }
      } finally {
        raw.close();
      }
    } finally {
      // At once after the last answer: nothing gets time to be written late.
      await server.kill();
    }

    const broker = await Broker.start({ storage: 'disk', dataDir, shards: 2 });
    try {
      for (let partition = 0; partition < partitions; partition++) {
        const expected = expectedOf(entries[partition]);
        const found = await readCommitted(broker, partition);
        expect(broker.describeTopic('txn')!.partitions[partition].highWatermark).toBe(entries[partition].length);
        // A reader is told of the aborted transactions with data below the LSO: those are what it reads.
        const abortedBelow = expected.aborted.filter((txn) => txn.firstOffset < expected.lastStableOffset).sort(byFirstOffset);
        expect({ partition, ...found }).toEqual({ partition, lastStableOffset: expected.lastStableOffset, aborted: abortedBelow, visible: expected.visible });
        // The coordinator finishes what was open: everything becomes stable.
        const results = await broker.writeTxnMarkers(expected.open.map((producerId) => ({ producerId: BigInt(producerId), producerEpoch: 0, committed: true, coordinatorEpoch: 0, partitions: [{ topic: 'txn', partition }] })));
        expect(results.flatMap((result) => result.partitions.map((each) => each.errorCode)).every((code) => code === ErrorCode.NONE)).toBe(true);
        const after = broker.describeTopic('txn')!.partitions[partition];
        expect(after.lastStableOffset).toBe(after.highWatermark);
      }
    } finally {
      await broker.stop();
    }
  });
});
