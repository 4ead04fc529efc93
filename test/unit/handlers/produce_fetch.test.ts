// Produce and Fetch against a fake broker: per-partition errors, acks, append order, long polls,
// byte budgets and when views are released.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { fetch } from '../../../core/handlers/fetch.js';
import { noResponse } from '../../../core/handlers/handler.js';
import { produce, splitBatches } from '../../../core/handlers/produce.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeResponseFrame } from '../../../core/protocol/codec.js';
import { context, FakeBroker } from './fakes.js';
import { fetchBytesMax, fetchReadsPerSpentWaveMax, recordBatchBytesMaxDefault } from '../../../core/limits.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

/** A fake "batch" of `total` bytes whose batchLength field says so. */
function fakeBatch(total: number, fill = 1): Uint8Array {
  const bytes = new Uint8Array(total).fill(fill);
  new DataView(bytes.buffer).setInt32(8, total - 12);
  return bytes;
}

const produceRequest = (acks: number, partitions: { topicName: string; partitionIndex: number; records: Uint8Array | null }[]) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topics: partitions.map(({ topicName, partitionIndex, records }) => ({ topicName, topicId: zeroTopicId(), partitions: [{ partitionIndex, records }] })),
});

describe('splitBatches', () => {
  it('splits whole batches and refuses sets whose lengths do not add up', () => {
    const two = new Uint8Array([...fakeBatch(70), ...fakeBatch(80)]);
    expect(splitBatches(two)?.map((b) => b.length)).toEqual([70, 80]);
    expect(splitBatches(two.subarray(0, 149))).toBeNull();
    expect(splitBatches(new Uint8Array(0))).toBeNull();
    expect(splitBatches(new Uint8Array(11))).toBeNull();
    const negative = fakeBatch(70);
    new DataView(negative.buffer).setInt32(8, -20);
    expect(splitBatches(negative)).toBeNull();
  });
});

describe('Produce', () => {
  it('answers each partition with its own error code', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 2, config: { maxMessageBytes: 100 } });
    const response = await produce.handle(context({ broker, apiVersion: 7 }), produceRequest(-1, [
      { topicName: 't', partitionIndex: 0, records: fakeBatch(70) },
      { topicName: 't', partitionIndex: 1, records: fakeBatch(200) },
      { topicName: 'nope', partitionIndex: 0, records: fakeBatch(70) },
      { topicName: 't', partitionIndex: 0, records: null },
    ]));
    if (response === noResponse) throw new Error('a response');
    expect(response.responses.map((t) => [t.topicName, t.partitions[0].errorCode, t.partitions[0].baseOffset])).toEqual([
      ['t', ErrorCode.NONE, 0],
      ['t', ErrorCode.MESSAGE_TOO_LARGE, -1],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
      ['t', ErrorCode.CORRUPT_MESSAGE, -1],
    ]);
  });

  it('v13 resolves topic ids to names, answers by id, and fails an unknown id with UNKNOWN_TOPIC_ID', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const topicId = broker.topics.get('t')!.topicId;
    const unknownId = new Uint8Array(16).fill(7);
    const request = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [
        { topicName: '', topicId, partitions: [{ partitionIndex: 0, records: fakeBatch(70) }] },
        { topicName: '', topicId: unknownId, partitions: [{ partitionIndex: 0, records: fakeBatch(70) }, { partitionIndex: 1, records: fakeBatch(70) }] },
      ],
    };
    const response = await produce.handle(context({ broker, apiVersion: 13 }), request);
    if (response === noResponse) throw new Error('a response');
    expect(response.responses.map((t) => [[...t.topicId], t.topicName, t.partitions.map((p) => [p.errorCode, p.baseOffset])])).toEqual([
      [[...topicId], 't', [[ErrorCode.NONE, 0]]],
      [[...unknownId], '', [[ErrorCode.UNKNOWN_TOPIC_ID, -1], [ErrorCode.UNKNOWN_TOPIC_ID, -1]]],
    ]);
    expect(broker.produced.map((p) => p.topic)).toEqual(['t']);
    // v12 names topics by name: the same request's (empty) names reach no topic.
    const byName = await produce.handle(context({ broker, apiVersion: 12 }), request);
    if (byName === noResponse) throw new Error('a response');
    expect(byName.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('writes nothing back for acks=0, refuses other acks values, passes acks through', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    expect(await produce.handle(context({ broker, apiVersion: 3 }), produceRequest(0, [{ topicName: 't', partitionIndex: 0, records: fakeBatch(70) }]))).toBe(noResponse);
    const bad = await produce.handle(context({ broker, apiVersion: 3 }), produceRequest(2, [{ topicName: 't', partitionIndex: 0, records: fakeBatch(70) }]));
    if (bad === noResponse) throw new Error('a response');
    expect(bad.responses[0].partitions[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    await produce.handle(context({ broker, apiVersion: 3 }), produceRequest(1, [{ topicName: 't', partitionIndex: 0, records: fakeBatch(70) }]));
    expect(broker.produced.map((p) => p.acks)).toEqual([0, 1]);
  });

  it('starts every append before awaiting, so pipelined requests keep their order', () => {
    const broker = new FakeBroker();
    void broker.createTopic('t');
    const ctx = context({ broker, apiVersion: 7 });
    void produce.handle(ctx, produceRequest(-1, [{ topicName: 't', partitionIndex: 0, records: new Uint8Array([...fakeBatch(70), ...fakeBatch(71)]) }]));
    void produce.handle(ctx, produceRequest(-1, [{ topicName: 't', partitionIndex: 0, records: fakeBatch(72) }]));
    // Synchronously, with no await in between: all three batches reached the broker in order.
    expect(broker.produced.map((p) => p.bytes)).toEqual([70, 71, 72]);
  });
});

function fetchRequest(partitions: { topicName: string; partitionIndex: number; fetchOffset: number; partitionMaxBytes?: number }[], options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {}): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: options.maxBytes ?? 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: partitions.map((p) => ({ topicName: p.topicName, topicId: new Uint8Array(16), partitions: [{ partitionIndex: p.partitionIndex, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: p.partitionMaxBytes ?? 1 << 20, replicaDirectoryId: new Uint8Array(16) }] })),
    forgottenTopicsData: [],
    rackId: '',
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Fetch', () => {
  it('v13+ names topics by id: reads the topic with that id, answers an unknown id UNKNOWN_TOPIC_ID, echoes the ids', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    await broker.produce('t', 0, fakeBatch(70), {});
    const idOfT = broker.describeTopic('t')!.topicId;
    const unknownId = new Uint8Array(16).fill(5);
    const request = fetchRequest([
      { topicName: '', partitionIndex: 0, fetchOffset: 0 },
      { topicName: '', partitionIndex: 0, fetchOffset: 0 },
    ]);
    request.topics[0].topicId = idOfT;
    request.topics[1].topicId = unknownId;
    const ctx = context({ broker, apiVersion: 17 });
    const response = await fetch.handle(ctx, { ...request, maxWaitMs: 5000, minBytes: 1 << 20 });
    if (response === noResponse) throw new Error('a response');
    // An unknown id fails its partition, and a failed round is answered without waiting.
    expect(broker.waiting).toEqual([]);
    expect(response.responses.map((topic) => [[...topic.topicId], topic.partitions[0].errorCode])).toEqual([
      [[...idOfT], ErrorCode.NONE],
      [[...unknownId], ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect(response.responses[0].partitions[0].records?.map((b) => b.length)).toEqual([70]);
    // The answer encodes at v17 (ids, tagged fields at their defaults).
    expect(() => encodeResponseFrame(ApiKey.Fetch, 17, 1, response)).not.toThrow();
    ctx.written();
  });

  it('before v13 the id is not read: a topic is found by name only', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const request = fetchRequest([{ topicName: 't', partitionIndex: 0, fetchOffset: 0 }]);
    request.topics[0].topicId = new Uint8Array(16).fill(5);
    const response = await fetch.handle(context({ broker, apiVersion: 12 }), request);
    if (response === noResponse) throw new Error('a response');
    expect(response.responses[0]).toMatchObject({ topicName: 't', partitions: [{ errorCode: ErrorCode.NONE }] });
  });

  it('returns data at once, with last stable offset = high watermark, and releases only after the write', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    await broker.produce('t', 0, fakeBatch(70), {});
    const ctx = context({ broker, apiVersion: 11 });
    const response = await fetch.handle(ctx, fetchRequest([{ topicName: 't', partitionIndex: 0, fetchOffset: 0 }], { maxWaitMs: 500, minBytes: 1 }));
    if (response === noResponse) throw new Error('a response');
    const partition = response.responses[0].partitions[0];
    expect(partition).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 1, lastStableOffset: 1, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1 });
    expect(partition.records?.map((b) => b.length)).toEqual([70]);
    expect(response.sessionId).toBe(0);
    expect(broker.released).toEqual([]);
    ctx.written();
    expect(broker.released).toEqual([0]);
  });

  it('long-polls: waits past the high watermark it saw, re-reads when data arrives', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const ctx = context({ broker, apiVersion: 11 });
    let answered = false;
    const pending = fetch.handle(ctx, fetchRequest([{ topicName: 't', partitionIndex: 0, fetchOffset: 0 }], { maxWaitMs: 5000, minBytes: 1 })).then((response) => {
      answered = true;
      return response;
    });
    await settle();
    expect(answered).toBe(false);
    expect(broker.waiting.map((w) => [w.offset, w.timeoutMs])).toEqual([[0, 5000]]);
    expect(broker.released).toEqual([0]); // the empty first read was dropped
    await broker.produce('t', 0, fakeBatch(90), {});
    const response = await pending;
    if (response === noResponse) throw new Error('a response');
    expect(response.responses[0].partitions[0].records?.map((b) => b.length)).toEqual([90]);
  });

  it('answers with what it has when max_wait_ms has passed or the server shuts down', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const ctx = context({ broker, apiVersion: 11 });
    const pending = fetch.handle(ctx, fetchRequest([{ topicName: 't', partitionIndex: 0, fetchOffset: 0 }], { maxWaitMs: 5000, minBytes: 1 }));
    await settle();
    ctx.nowMs += 5000;
    broker.waiting.splice(0).forEach((w) => w.resolve()); // the broker's wait timed out
    const response = await pending;
    if (response === noResponse) throw new Error('a response');
    expect(response.responses[0].partitions[0].records).toEqual([]);

    const other = context({ broker, apiVersion: 11 });
    const polling = fetch.handle(other, fetchRequest([{ topicName: 't', partitionIndex: 0, fetchOffset: 0 }], { maxWaitMs: 5000, minBytes: 1 }));
    await settle();
    other.shutDown();
    const atShutdown = await polling;
    if (atShutdown === noResponse) throw new Error('a response');
    expect(atShutdown.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps the first partition with data whole over max_bytes and drops later ones that do not fit', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 3 });
    await broker.produce('t', 0, fakeBatch(300), {});
    await broker.produce('t', 1, fakeBatch(300), {});
    await broker.produce('t', 2, fakeBatch(50), {});
    const ctx = context({ broker, apiVersion: 11 });
    const response = await fetch.handle(ctx, fetchRequest([0, 1, 2].map((partitionIndex) => ({ topicName: 't', partitionIndex, fetchOffset: 0 })), { maxBytes: 100 }));
    if (response === noResponse) throw new Error('a response');
    expect(response.responses[0].partitions.map((p) => p.records?.length)).toEqual([1, 0, 0]);
    expect(response.responses[0].partitions.map((p) => p.highWatermark)).toEqual([1, 1, 1]);
    expect(broker.released.sort()).toEqual([1, 2]);
    ctx.written();
    expect(broker.released.sort()).toEqual([0, 1, 2]);
  });

  it('reads at most about max_bytes (cut to fetch.max.bytes) at once, however many partitions a request names', async () => {
    // Found by the wire fuzzer: a Fetch naming the same partition thousands of times, each with
    // partition_max_bytes 1 MiB and max_bytes 2 GiB, read them all in parallel.
    const broker = new FakeBroker();
    await broker.createTopic('t');
    await broker.produce('t', 0, fakeBatch(50), {});
    const ctx = context({ broker, apiVersion: 11 });
    const wanted = Array.from({ length: 2000 }, () => ({ topicName: 't', partitionIndex: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }));
    const response = await fetch.handle(ctx, fetchRequest(wanted, { maxBytes: 0x7fff_ffff }));
    if (response === noResponse) throw new Error('a response');
    expect(broker.fetchBytesInFlightPeak).toBeLessThanOrEqual(fetchBytesMax);
    const partitions = response.responses.flatMap((topic) => topic.partitions);
    expect(partitions).toHaveLength(2000);
    expect(partitions.every((p) => p.errorCode === ErrorCode.NONE && p.highWatermark === 1)).toBe(true);
    expect(partitions.filter((p) => (p.records?.length ?? 0) > 0)).toHaveLength(2000);
  });

  it('once max_bytes is spent, reads later partitions a few at a time for their offsets only', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 2 });
    const batchBytes = 1 << 20;
    const spending = Math.ceil(fetchBytesMax / batchBytes);
    for (let i = 0; i < spending; i++) await broker.produce('t', 0, fakeBatch(batchBytes), {});
    await broker.produce('t', 1, fakeBatch(300), {});
    const ctx = context({ broker, apiVersion: 11 });
    const wanted = Array.from({ length: 200 }, (_, i) => ({ topicName: 't', partitionIndex: i % 2, fetchOffset: 0, partitionMaxBytes: 0x7fff_ffff }));
    const response = await fetch.handle(ctx, fetchRequest(wanted, { maxBytes: 0x7fff_ffff }));
    if (response === noResponse) throw new Error('a response');
    expect(broker.fetchBytesInFlightPeak).toBeLessThanOrEqual(fetchBytesMax);
    expect(broker.fetchesInFlightPeak).toBeLessThanOrEqual(fetchReadsPerSpentWaveMax);
    const partitions = response.responses.flatMap((topic) => topic.partitions);
    expect(partitions.map((p) => p.records?.length ?? 0).reduce((a, b) => a + b)).toBe(spending);
    expect(partitions.map((p) => p.highWatermark).slice(0, 2)).toEqual([spending, 1]);
  });

  it('releases the reads it drops as each wave completes: it holds max_bytes of kept reads plus one wave, not every read', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const batchBytes = 1 << 20;
    await broker.produce('t', 0, fakeBatch(batchBytes), {});
    const ctx = context({ broker, apiVersion: 11 });
    // 300 reads of one 1 MiB batch under a 4 MiB max_bytes: 4 are kept, the rest only tell offsets.
    const kept = 4;
    const wanted = Array.from({ length: 300 }, () => ({ topicName: 't', partitionIndex: 0, fetchOffset: 0, partitionMaxBytes: batchBytes }));
    const response = await fetch.handle(ctx, fetchRequest(wanted, { maxBytes: kept * batchBytes }));
    if (response === noResponse) throw new Error('a response');
    const partitions = response.responses.flatMap((topic) => topic.partitions);
    expect(partitions.filter((p) => (p.records?.length ?? 0) > 0)).toHaveLength(kept);
    expect(partitions.every((p) => p.highWatermark === 1)).toBe(true);
    // The widest wave: while max_bytes lasts, reads reserving a batch each up to fetch.max.bytes.
    const waveMax = Math.max(Math.ceil(fetchBytesMax / recordBatchBytesMaxDefault), fetchReadsPerSpentWaveMax);
    expect(broker.readsHeldPeak).toBeLessThanOrEqual(kept + waveMax);
    expect(broker.readsHeld).toBe(kept);
    ctx.written();
    expect(broker.readsHeld).toBe(0);
    expect(broker.released).toHaveLength(300);
  });

  it('counts a whole batch for each read of a small max_bytes, since a read returns at least one', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    await broker.produce('t', 0, fakeBatch(300), {});
    const ctx = context({ broker, apiVersion: 11 });
    const wanted = Array.from({ length: 2000 }, () => ({ topicName: 't', partitionIndex: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }));
    await fetch.handle(ctx, fetchRequest(wanted, { maxBytes: 100 }));
    expect(broker.fetchesInFlightPeak).toBeLessThanOrEqual(Math.ceil(fetchBytesMax / recordBatchBytesMaxDefault));
  });

  it('reads a consumer\'s caught-up partitions in one wave when their limits fit fetch.max.bytes', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 50 });
    const ctx = context({ broker, apiVersion: 11 });
    const wanted = Array.from({ length: 50 }, (_, i) => ({ topicName: 't', partitionIndex: i, fetchOffset: 0, partitionMaxBytes: 1 << 20 }));
    await fetch.handle(ctx, fetchRequest(wanted, { maxBytes: 10 << 20 }));
    expect(broker.fetchesInFlightPeak).toBe(50);
  });

  it('answers OFFSET_OUT_OF_RANGE and UNKNOWN_TOPIC_OR_PARTITION per partition without waiting', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    const response = await fetch.handle(context({ broker, apiVersion: 4 }), fetchRequest([
      { topicName: 't', partitionIndex: 0, fetchOffset: 9 },
      { topicName: 'gone', partitionIndex: 0, fetchOffset: 0 },
    ], { maxWaitMs: 5000, minBytes: 1 }));
    if (response === noResponse) throw new Error('a response');
    expect(response.responses.map((t) => [t.partitions[0].errorCode, t.partitions[0].highWatermark])).toEqual([
      [ErrorCode.OFFSET_OUT_OF_RANGE, 0],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
  });
});
