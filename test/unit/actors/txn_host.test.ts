// The host's half of a decided transaction, against a real TransactionCoordinator behind a fake
// shard call: EndTxn answers once markers and offsets are written and the transaction complete;
// a marker write that fails leaves the decision durable (EndTxn still answers NONE) and the
// sweep finishes it once the partitions take markers again; the same work is never written twice
// at once; an abort hands no offsets to the group.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import type { TxnMarkerRequest, TxnMarkerResult } from '../../../core/handlers/handler.js';
import type { TxnOffsetsCommitRequest } from '../../../core/group/group_api.js';
import type { TxnMethod, TxnRequestOf, TxnResultOf } from '../../../core/txn/txn_calls.js';
import { TransactionCoordinator } from '../../../core/txn/txn_coordinator.js';
import { TxnHost } from '../../../actors/host/txn_host.js';
import { logger } from '../../../actors/logger.js';

function setup() {
  const coordinator = new TransactionCoordinator();
  let nowMs = 1_000;
  const markers: TxnMarkerRequest[] = [];
  const offsets: TxnOffsetsCommitRequest[] = [];
  let markerCode: number = ErrorCode.NONE;
  let releaseWrite: (() => void) | null = null;
  let holdWrites = false;
  let nextProducerId = 4242;
  const call = async <M extends TxnMethod>(_shard: number, method: M, request: TxnRequestOf<M>): Promise<TxnResultOf<M>> => {
    nowMs += 1;
    const run: Record<TxnMethod, (r: never) => unknown> = {
      initProducerId: (r: TxnRequestOf<'initProducerId'>) => coordinator.initProducerId(nowMs, r).value,
      addPartitionsToTxn: (r: TxnRequestOf<'addPartitionsToTxn'>) => coordinator.addPartitions(nowMs, r).value,
      addOffsetsToTxn: (r: TxnRequestOf<'addOffsetsToTxn'>) => coordinator.addOffsets(nowMs, r).value,
      txnOffsetCommit: (r: TxnRequestOf<'txnOffsetCommit'>) => coordinator.txnOffsetCommit(nowMs, r).value,
      endTxn: (r: TxnRequestOf<'endTxn'>) => coordinator.endTxn(nowMs, r).value,
      markersWritten: (r: TxnRequestOf<'markersWritten'>) => coordinator.markersWritten(nowMs, r).value,
      pendingMarkers: () => coordinator.pendingMarkers(),
      describeTransactions: (r: TxnRequestOf<'describeTransactions'>) => coordinator.describe(r),
      listTransactions: (r: TxnRequestOf<'listTransactions'>) => coordinator.list(nowMs, r),
    };
    return run[method](request as never) as TxnResultOf<M>;
  };
  const host = new TxnHost({
    shardCount: 1,
    call,
    // 4242 first, then upwards: a test sees which ids were drawn.
    allocateProducerId: () => nextProducerId++,
    writeTxnMarkers: async (requests): Promise<TxnMarkerResult[]> => {
      markers.push(...requests);
      if (holdWrites) await new Promise<void>((resolve) => (releaseWrite = resolve));
      return requests.map((request) => ({ producerId: request.producerId, partitions: request.partitions.map((p) => ({ ...p, errorCode: markerCode })) }));
    },
    commitOffsets: async (request) => {
      offsets.push(request);
      return { topics: [] };
    },
    logger,
  });
  return {
    coordinator,
    host,
    markers,
    offsets,
    failMarkers: (code: number) => (markerCode = code),
    holdWrites: () => (holdWrites = true),
    release: () => releaseWrite?.(),
    /** An id with an ongoing transaction over out-0 and the group g's offset 7 staged. */
    async ongoing(transactionalId = 'tx') {
      const { producerId, producerEpoch } = await host.initTransactionalProducer({ transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      const producer = { transactionalId, producerId, producerEpoch };
      await host.addPartitionsToTxn({ ...producer, partitions: [{ topic: 'out', partition: 0 }] });
      await host.addOffsetsToTxn({ ...producer, groupId: 'g' });
      await host.txnOffsetCommit({ ...producer, groupId: 'g', offsets: [{ topic: 'in', partition: 0, offset: 7, leaderEpoch: -1, metadata: null }] });
      return producer;
    },
  };
}

describe('TxnHost: finishing decided transactions', () => {
  it('answers EndTxn once the markers and offsets are written and the transaction complete', async () => {
    const t = setup();
    const producer = await t.ongoing();
    // The first transaction protocol: the producer goes on with the same id and epoch.
    expect(await t.host.endTxn({ ...producer, committed: true })).toEqual({ errorCode: ErrorCode.NONE, producerId: producer.producerId, producerEpoch: producer.producerEpoch });
    expect(t.markers).toEqual([{ producerId: 4242n, producerEpoch: 0, committed: true, coordinatorEpoch: 0, partitions: [{ topic: 'out', partition: 0 }] }]);
    expect(t.offsets).toEqual([{ groupId: 'g', topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] }] }]);
    expect(t.coordinator.metadataOf('tx')?.state).toBe('CompleteCommit');
  });

  it('a version 2 EndTxn answers the bumped epoch, writes the markers with it, and moves to a fresh producer id once the epoch runs out', async () => {
    const t = setup();
    const producer = await t.ongoing();
    expect(await t.host.endTxn({ ...producer, committed: true, transactionVersion2: true })).toEqual({ errorCode: ErrorCode.NONE, producerId: 4242, producerEpoch: 1 });
    expect(t.markers.map((marker) => marker.producerEpoch)).toEqual([1]);
    // Drive the id to the last epoch that can still be bumped, then end a transaction there.
    let epoch = 1;
    for (; epoch < 0x7fff - 1; epoch++) await t.host.endTxn({ ...producer, producerEpoch: epoch, committed: false, transactionVersion2: true });
    // Only this last EndTxn drew a producer id (4243: the first after the InitProducerId's).
    expect(await t.host.endTxn({ ...producer, producerEpoch: epoch, committed: false, transactionVersion2: true })).toEqual({ errorCode: ErrorCode.NONE, producerId: 4243, producerEpoch: 0 });
    expect(t.coordinator.metadataOf('tx')).toMatchObject({ state: 'CompleteAbort', producerId: 4243, previousProducerId: 4242, producerEpoch: 0 });
  });

  it('an abort writes abort markers and gives the group nothing', async () => {
    const t = setup();
    const producer = await t.ongoing();
    await t.host.endTxn({ ...producer, committed: false });
    expect(t.markers.map((marker) => marker.committed)).toEqual([false]);
    expect(t.offsets).toEqual([]);
    expect(t.coordinator.metadataOf('tx')?.state).toBe('CompleteAbort');
  });

  it('keeps a decision whose markers failed and finishes it on a later sweep', async () => {
    const t = setup();
    const producer = await t.ongoing();
    t.failMarkers(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await t.host.endTxn({ ...producer, committed: true })).errorCode).toBe(ErrorCode.NONE);
    expect(t.coordinator.metadataOf('tx')?.state).toBe('PrepareCommit');
    // Nothing reached the group before every marker was written.
    expect(t.offsets).toEqual([]);
    await t.host.sweep();
    expect(t.coordinator.metadataOf('tx')?.state).toBe('PrepareCommit');
    t.failMarkers(ErrorCode.NONE);
    await t.host.sweep();
    expect(t.coordinator.metadataOf('tx')?.state).toBe('CompleteCommit');
    expect(t.offsets).toHaveLength(1);
    expect(t.markers).toHaveLength(3);
  });

  it('writes the same work once at a time, however many ask', async () => {
    const t = setup();
    const producer = await t.ongoing();
    t.holdWrites();
    const ended = t.host.endTxn({ ...producer, committed: true });
    await new Promise((resolve) => setImmediate(resolve));
    const sweeps = [t.host.sweep(), t.host.sweep()];
    await new Promise((resolve) => setImmediate(resolve));
    t.release();
    await Promise.all([ended, ...sweeps]);
    expect(t.markers).toHaveLength(1);
    expect(t.offsets).toHaveLength(1);
    expect(t.coordinator.metadataOf('tx')?.state).toBe('CompleteCommit');
  });
});
