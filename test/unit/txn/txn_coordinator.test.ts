// The transaction coordinator under a fake clock: the transition table walked cell by cell (every
// state × request with Kafka's answer and the state afterwards), zombie fencing, timeouts,
// expiration, and replay of the records it wrote. The table is the spec; a change in behaviour
// must change a row here.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { TransactionCoordinator, type TxnOutcome } from '../../../core/txn/txn_coordinator.js';
import type { TxnRecord } from '../../../core/txn/txn_record.js';
import { decodeTxnRecord, encodeTxnRecord } from '../../../core/txn/txn_record.js';
import { isTxnTransitionAllowed, txnStates, type TxnState } from '../../../core/txn/txn_state.js';
import { FakeClock } from '../../support/fake_clock.js';

const id = 'tx-1';
const timeoutMs = 60_000;

/** A coordinator with one transactional id, every record it wrote kept for replay. */
class TxnContext {
  readonly clock = new FakeClock();
  readonly records: TxnRecord[] = [];
  coordinator = new TransactionCoordinator({ transactionalIdExpirationMs: 3_600_000 });
  #nextProducerId = 1000;
  producerId = -1;
  epoch = -1;

  #keep<V>(outcome: TxnOutcome<V>): V {
    // Every record goes through the log's encoding, as the actor stores it.
    for (const record of outcome.records) {
      const { key, value } = encodeTxnRecord(record);
      this.records.push(decodeTxnRecord(key, value));
    }
    return outcome.value;
  }

  init(producerId = -1, producerEpoch = -1): number {
    const value = this.#keep(this.coordinator.initProducerId(this.clock.nowMs(), { transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch, freshProducerId: this.#nextProducerId++ }));
    if (value.errorCode === ErrorCode.NONE) {
      this.producerId = value.producerId;
      this.epoch = value.producerEpoch;
    }
    return value.errorCode;
  }

  addPartitions(...partitions: number[]): number {
    return this.#keep(this.coordinator.addPartitions(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, partitions: partitions.map((partition) => ({ topic: 'out', partition })) })).errorCode;
  }

  addOffsets(groupId = 'g'): number {
    return this.#keep(this.coordinator.addOffsets(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, groupId })).errorCode;
  }

  commitOffset(offset: number, groupId = 'g'): number {
    return this.#keep(this.coordinator.txnOffsetCommit(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, groupId, offsets: [{ topic: 'in', partition: 0, offset, leaderEpoch: -1, metadata: null }] })).errorCode;
  }

  end(committed: boolean): number {
    return this.#keep(this.coordinator.endTxn(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, committed })).errorCode;
  }

  /** EndTxn v5 (transaction version 2): the producer goes on with the id and epoch answered. */
  endV2(committed: boolean): { errorCode: number; producerId: number; producerEpoch: number; markerEpoch: number | null } {
    const value = this.#keep(this.coordinator.endTxn(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, committed, transactionVersion2: true, freshProducerId: this.#nextProducerId++ }));
    return { errorCode: value.errorCode, producerId: value.producerId, producerEpoch: value.producerEpoch, markerEpoch: value.markers?.producerEpoch ?? null };
  }

  /** TxnOffsetCommit v5 (transaction version 2): the group joins the transaction if it has not. */
  commitOffsetV2(offset: number, groupId = 'g'): number {
    return this.#keep(this.coordinator.txnOffsetCommit(this.clock.nowMs(), { transactionalId: id, producerId: this.producerId, producerEpoch: this.epoch, groupId, offsets: [{ topic: 'in', partition: 0, offset, leaderEpoch: -1, metadata: null }], addsGroup: true })).errorCode;
  }

  /** The host finishes every decided transaction. */
  writeMarkers(): void {
    for (const work of this.coordinator.pendingMarkers()) this.#keep(this.coordinator.markersWritten(this.clock.nowMs(), work));
  }

  tick(): void {
    this.#keep({ records: this.coordinator.tick(this.clock.nowMs()).records, value: null });
  }

  get state(): TxnState | undefined {
    return this.coordinator.metadataOf(id)?.state;
  }

  replayed(): TransactionCoordinator {
    return TransactionCoordinator.replay(this.records, { transactionalIdExpirationMs: 3_600_000 });
  }
}

/** A context whose transaction is in `state`. */
function inState(state: TxnState): TxnContext {
  const t = new TxnContext();
  expect(t.init()).toBe(ErrorCode.NONE);
  switch (state) {
    case 'Empty':
      break;
    case 'Ongoing':
      t.addPartitions(0);
      break;
    case 'PrepareCommit':
    case 'PrepareAbort':
      t.addPartitions(0);
      t.end(state === 'PrepareCommit');
      break;
    case 'CompleteCommit':
    case 'CompleteAbort':
      t.addPartitions(0);
      t.end(state === 'CompleteCommit');
      t.writeMarkers();
      break;
    case 'PrepareEpochFence':
    case 'Dead':
      throw new Error(`${state} is never at rest`);
  }
  expect(t.state).toBe(state);
  return t;
}

type Outcome = readonly [code: number, next: TxnState];
const requests: Record<string, (t: TxnContext) => number> = {
  InitProducerId: (t) => t.init(),
  AddPartitionsToTxn: (t) => t.addPartitions(1),
  AddOffsetsToTxn: (t) => t.addOffsets(),
  'EndTxn commit': (t) => t.end(true),
  'EndTxn abort': (t) => t.end(false),
};

const { NONE, CONCURRENT_TRANSACTIONS, INVALID_TXN_STATE } = ErrorCode;
const table: Record<string, Record<string, Outcome>> = {
  Empty: {
    InitProducerId: [NONE, 'Empty'],
    AddPartitionsToTxn: [NONE, 'Ongoing'],
    AddOffsetsToTxn: [NONE, 'Ongoing'],
    'EndTxn commit': [INVALID_TXN_STATE, 'Empty'],
    'EndTxn abort': [INVALID_TXN_STATE, 'Empty'],
  },
  Ongoing: {
    InitProducerId: [CONCURRENT_TRANSACTIONS, 'PrepareAbort'],
    AddPartitionsToTxn: [NONE, 'Ongoing'],
    AddOffsetsToTxn: [NONE, 'Ongoing'],
    'EndTxn commit': [NONE, 'PrepareCommit'],
    'EndTxn abort': [NONE, 'PrepareAbort'],
  },
  PrepareCommit: {
    InitProducerId: [CONCURRENT_TRANSACTIONS, 'PrepareCommit'],
    AddPartitionsToTxn: [CONCURRENT_TRANSACTIONS, 'PrepareCommit'],
    AddOffsetsToTxn: [CONCURRENT_TRANSACTIONS, 'PrepareCommit'],
    'EndTxn commit': [CONCURRENT_TRANSACTIONS, 'PrepareCommit'],
    'EndTxn abort': [INVALID_TXN_STATE, 'PrepareCommit'],
  },
  PrepareAbort: {
    InitProducerId: [CONCURRENT_TRANSACTIONS, 'PrepareAbort'],
    AddPartitionsToTxn: [CONCURRENT_TRANSACTIONS, 'PrepareAbort'],
    AddOffsetsToTxn: [CONCURRENT_TRANSACTIONS, 'PrepareAbort'],
    'EndTxn commit': [INVALID_TXN_STATE, 'PrepareAbort'],
    'EndTxn abort': [CONCURRENT_TRANSACTIONS, 'PrepareAbort'],
  },
  CompleteCommit: {
    InitProducerId: [NONE, 'Empty'],
    AddPartitionsToTxn: [NONE, 'Ongoing'],
    AddOffsetsToTxn: [NONE, 'Ongoing'],
    'EndTxn commit': [NONE, 'CompleteCommit'],
    'EndTxn abort': [INVALID_TXN_STATE, 'CompleteCommit'],
  },
  CompleteAbort: {
    InitProducerId: [NONE, 'Empty'],
    AddPartitionsToTxn: [NONE, 'Ongoing'],
    AddOffsetsToTxn: [NONE, 'Ongoing'],
    'EndTxn commit': [INVALID_TXN_STATE, 'CompleteAbort'],
    'EndTxn abort': [NONE, 'CompleteAbort'],
  },
};

describe('transaction coordinator: the transition table', () => {
  for (const [state, row] of Object.entries(table)) {
    for (const [request, [code, next]] of Object.entries(row)) {
      it(`${state} × ${request} → ${code}, ${next}`, () => {
        const t = inState(state as TxnState);
        expect(requests[request](t)).toBe(code);
        expect(t.state).toBe(next);
        // Whatever happened is what a restart replays.
        expect(t.replayed().metadataOf(id)).toEqual(t.coordinator.metadataOf(id));
      });
    }
  }

  it('allows exactly the moves of Kafka’s TransactionState', () => {
    const allowed = txnStates.flatMap((from) => txnStates.filter((to) => isTxnTransitionAllowed(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      [
        'Empty→Empty', 'CompleteCommit→Empty', 'CompleteAbort→Empty',
        'Ongoing→Ongoing', 'Empty→Ongoing', 'CompleteCommit→Ongoing', 'CompleteAbort→Ongoing',
        'Ongoing→PrepareCommit', 'Ongoing→PrepareAbort', 'PrepareEpochFence→PrepareAbort',
        // Transaction version 2: an abort with nothing added bumps an idle id's epoch.
        'Empty→PrepareAbort', 'CompleteCommit→PrepareAbort', 'CompleteAbort→PrepareAbort',
        'PrepareCommit→CompleteCommit', 'PrepareAbort→CompleteAbort', 'Ongoing→PrepareEpochFence',
        'Empty→Dead', 'CompleteCommit→Dead', 'CompleteAbort→Dead',
      ].sort(),
    );
  });
});

describe('transaction coordinator: producers', () => {
  it('bumps the epoch on every InitProducerId and fences the previous producer', () => {
    const t = inState('Empty');
    const zombie = { producerId: t.producerId, epoch: t.epoch };
    expect(t.init()).toBe(ErrorCode.NONE);
    expect(t.producerId).toBe(zombie.producerId);
    expect(t.epoch).toBe(zombie.epoch + 1);
    const fresh = { producerId: t.producerId, epoch: t.epoch };
    // The zombie's requests are fenced; the new producer's are served.
    Object.assign(t, { epoch: zombie.epoch });
    expect(t.addPartitions(0)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(t.end(true)).toBe(ErrorCode.PRODUCER_FENCED);
    Object.assign(t, { epoch: fresh.epoch });
    expect(t.addPartitions(0)).toBe(ErrorCode.NONE);
  });

  it('aborts the zombie’s ongoing transaction with a bumped epoch when a new producer starts', () => {
    const t = inState('Ongoing');
    const zombieEpoch = t.epoch;
    expect(t.init()).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    const [work] = t.coordinator.pendingMarkers();
    expect(work).toMatchObject({ committed: false, producerEpoch: zombieEpoch + 1, partitions: [{ topic: 'out', partition: 0 }] });
    // The zombie cannot commit what was aborted.
    expect(t.end(true)).toBe(ErrorCode.PRODUCER_FENCED);
    t.writeMarkers();
    expect(t.state).toBe('CompleteAbort');
    // The new producer's retry gets the epoch after the fence.
    expect(t.init()).toBe(ErrorCode.NONE);
    expect(t.epoch).toBe(zombieEpoch + 2);
  });

  it('answers a retried epoch bump (KIP-360) and fences any other epoch', () => {
    const t = inState('CompleteCommit');
    const before = t.epoch;
    expect(t.init(t.producerId, before)).toBe(ErrorCode.NONE);
    expect(t.epoch).toBe(before + 1);
    expect(t.init(t.producerId, before)).toBe(ErrorCode.NONE); // the retry: same answer
    expect(t.epoch).toBe(before + 1);
    expect(t.init(t.producerId, before + 7)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(t.init(t.producerId + 1, before + 1)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('moves to a new producer id once the epoch is exhausted', () => {
    const t = inState('Empty');
    const first = t.producerId;
    // Start from a log whose producer is two bumps short of the last epoch.
    const metadata = t.coordinator.metadataOf(id)!;
    t.coordinator = TransactionCoordinator.replay([{ transactionalId: id, metadata: { ...metadata, producerEpoch: 0x7fff - 3 } }]);
    expect(t.init()).toBe(ErrorCode.NONE);
    expect(t.init()).toBe(ErrorCode.NONE);
    expect(t.epoch).toBe(0x7fff - 1);
    expect(t.init()).toBe(ErrorCode.NONE);
    expect(t.producerId).not.toBe(first);
    expect(t.epoch).toBe(0);
  });

  it('refuses a transaction timeout outside (0, transaction.max.timeout.ms]', () => {
    const coordinator = new TransactionCoordinator();
    for (const transactionTimeoutMs of [0, -1, 900_001]) {
      expect(coordinator.initProducerId(0, { transactionalId: id, transactionTimeoutMs, producerId: -1, producerEpoch: -1, freshProducerId: 5 }).value.errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
  });

  it('answers INVALID_PRODUCER_ID_MAPPING for an unknown id or another producer id', () => {
    const t = inState('Empty');
    Object.assign(t, { producerId: t.producerId + 1 });
    expect(t.addPartitions(0)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const other = new TxnContext();
    other.producerId = 1;
    other.epoch = 0;
    expect(other.end(true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });
});

describe('transaction coordinator: offsets, timeouts, expiration, replay', () => {
  it('stages offsets only for a group added to the transaction, and hands them over on commit only', () => {
    const t = inState('Empty');
    t.addPartitions(0);
    expect(t.commitOffset(10)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(t.addOffsets()).toBe(ErrorCode.NONE);
    expect(t.commitOffset(10)).toBe(ErrorCode.NONE);
    expect(t.commitOffset(12)).toBe(ErrorCode.NONE);
    t.end(true);
    expect(t.coordinator.pendingMarkers()[0].groups).toEqual([{ groupId: 'g', offsets: [{ topic: 'in', partition: 0, offset: 12, leaderEpoch: -1, metadata: null }] }]);

    const aborted = inState('Empty');
    aborted.addOffsets();
    aborted.commitOffset(10);
    aborted.end(false);
    expect(aborted.coordinator.pendingMarkers()[0].groups).toEqual([]);
  });

  it('refuses a change whose state record would pass txnRecordBytesMax, and changes nothing', () => {
    const t = inState('Empty');
    t.addOffsets();
    const before = t.coordinator.metadataOf(id);
    const records = t.records.length;
    const huge = 'm'.repeat(4_000);
    const offsets = Array.from({ length: 400 }, (_, partition) => ({ topic: 'in', partition, offset: 1, leaderEpoch: -1, metadata: huge }));
    const outcome = t.coordinator.txnOffsetCommit(t.clock.nowMs(), { transactionalId: id, producerId: t.producerId, producerEpoch: t.epoch, groupId: 'g', offsets });
    expect(outcome).toEqual({ records: [], value: { errorCode: ErrorCode.INVALID_REQUEST } });
    expect(t.coordinator.metadataOf(id)).toBe(before);
    expect(t.records).toHaveLength(records);
  });

  it('stores whatever offset a client staged: replay reads back negative and huge ones', () => {
    const t = inState('Empty');
    t.addOffsets();
    for (const offset of [-5, 2 ** 60]) {
      t.commitOffset(offset);
      expect(t.replayed().metadataOf(id)?.groups[0].offsets[0].offset).toBe(offset);
    }
  });

  it('aborts a transaction past its timeout, fencing its producer', () => {
    const t = inState('Ongoing');
    const epoch = t.epoch;
    t.clock.advance(timeoutMs - 1);
    t.tick();
    expect(t.state).toBe('Ongoing');
    t.clock.advance(1);
    expect(t.coordinator.nextDeadlineMs()).toBe(t.clock.nowMs());
    t.tick();
    expect(t.state).toBe('PrepareAbort');
    expect(t.end(true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(t.replayed().pendingMarkers()).toEqual([{ transactionalId: id, producerId: t.producerId, producerEpoch: epoch + 1, committed: false, partitions: [{ topic: 'out', partition: 0 }], groups: [] }]);
  });

  it('forgets an idle id after transactional.id.expiration.ms, durably', () => {
    const t = inState('CompleteCommit');
    t.clock.advance(3_600_000);
    t.tick();
    expect(t.state).toBeUndefined();
    expect(t.records.at(-1)).toEqual({ transactionalId: id, metadata: null });
    expect(t.replayed().size).toBe(0);
  });

  it('finishes after a restart what was decided before it', () => {
    const t = inState('Ongoing');
    t.addPartitions(1, 2);
    t.end(true);
    const restarted = t.replayed();
    expect(restarted.pendingMarkers()).toMatchObject([{ committed: true, partitions: [{ partition: 0 }, { partition: 1 }, { partition: 2 }] }]);
    const [work] = restarted.pendingMarkers();
    expect(restarted.markersWritten(t.clock.nowMs(), work).value).toBe(true);
    expect(restarted.metadataOf(id)?.state).toBe('CompleteCommit');
    // A second completion of the same work (a retry) changes nothing.
    expect(restarted.markersWritten(t.clock.nowMs(), work)).toEqual({ records: [], value: false });
  });

  it('keeps a bounded number of ids: a new one evicts the id idle the longest, or waits', () => {
    const coordinator = new TransactionCoordinator({}, 2);
    const init = (transactionalId: string, nowMs: number) => coordinator.initProducerId(nowMs, { transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1, producerEpoch: -1, freshProducerId: nowMs });
    init('a', 1);
    init('b', 2);
    const third = init('c', 3);
    expect(third.value.errorCode).toBe(ErrorCode.NONE);
    expect(third.records[0]).toEqual({ transactionalId: 'a', metadata: null });
    expect(coordinator.metadataOf('a')).toBeUndefined();
    // Both left open: nothing idle to evict, the new id waits.
    for (const id of ['b', 'c']) {
      const { producerId, producerEpoch } = coordinator.metadataOf(id)!;
      coordinator.addPartitions(4, { transactionalId: id, producerId, producerEpoch, partitions: [{ topic: 'out', partition: 0 }] });
    }
    expect(init('d', 5).value.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(coordinator.size).toBe(2);
  });

  it('describes and lists transactions with Kafka’s filters', () => {
    const t = inState('Ongoing');
    t.clock.advance(5_000);
    expect(t.coordinator.describe([id, 'nope'])).toMatchObject([
      { transactionalId: id, errorCode: ErrorCode.NONE, state: 'Ongoing', topics: [{ topic: 'out', partitions: [0] }] },
      { transactionalId: 'nope', errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND },
    ]);
    // The partitions it staged offsets for, per group (OffsetFetch's requireStable): none until TxnOffsetCommit.
    expect(t.addOffsets('g')).toBe(ErrorCode.NONE);
    expect(t.coordinator.describe([id])[0].stagedOffsets).toEqual([]);
    expect(t.commitOffset(3)).toBe(ErrorCode.NONE);
    expect(t.coordinator.describe([id])[0].stagedOffsets).toEqual([{ groupId: 'g', topic: 'in', partition: 0 }]);
    const list = (states: string[], durationMsMin = -1) => t.coordinator.list(t.clock.nowMs(), { states, producerIds: [], durationMsMin });
    expect(list([]).transactions).toEqual([{ transactionalId: id, producerId: t.producerId, state: 'Ongoing' }]);
    expect(list(['Empty']).transactions).toEqual([]);
    expect(list(['Bogus']).unknownStates).toEqual(['Bogus']);
    expect(list([], 4_000).transactions).toHaveLength(1);
    expect(list([], 5_000).transactions).toHaveLength(0);
  });
});

describe('transaction coordinator: transaction version 2 (KIP-890 part 2)', () => {
  it('bumps the epoch with every EndTxn: markers carry the new epoch, the answer names it, the old epoch is fenced', () => {
    const t = inState('Ongoing');
    const before = { producerId: t.producerId, epoch: t.epoch };
    const ended = t.endV2(true);
    expect(ended).toEqual({ errorCode: ErrorCode.NONE, producerId: before.producerId, producerEpoch: before.epoch + 1, markerEpoch: before.epoch + 1 });
    expect(t.state).toBe('PrepareCommit');
    t.writeMarkers();
    expect(t.state).toBe('CompleteCommit');
    expect(t.coordinator.metadataOf(id)).toMatchObject({ producerId: before.producerId, producerEpoch: before.epoch + 1, lastProducerEpoch: before.epoch });
    // A late request of the finished transaction (its epoch) is fenced; the next one starts with the new epoch.
    expect(t.addPartitions(2)).toBe(ErrorCode.PRODUCER_FENCED);
    Object.assign(t, { epoch: ended.producerEpoch });
    expect(t.addPartitions(2)).toBe(ErrorCode.NONE);
    expect(t.endV2(false)).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: before.epoch + 2 });
    t.writeMarkers();
    expect(t.replayed().metadataOf(id)).toEqual(t.coordinator.metadataOf(id));
  });

  it('answers a retried EndTxn (the epoch just below) with the same id and epoch, and refuses the opposite decision', () => {
    const t = inState('Ongoing');
    const sent = t.epoch;
    const ended = t.endV2(true);
    // Retried while the markers are being written, then after.
    expect(t.endV2(true)).toMatchObject({ errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, producerId: -1 });
    t.writeMarkers();
    expect(t.endV2(true)).toEqual({ errorCode: ErrorCode.NONE, producerId: ended.producerId, producerEpoch: ended.producerEpoch, markerEpoch: null });
    expect(t.endV2(false)).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
    expect(t.epoch).toBe(sent);
    // Two epochs back is no retry: fenced.
    Object.assign(t, { epoch: sent - 1 });
    expect(t.endV2(true)).toMatchObject({ errorCode: ErrorCode.PRODUCER_FENCED });
    // At the current epoch, committing again is an invalid state (no transaction is open).
    Object.assign(t, { epoch: ended.producerEpoch });
    expect(t.endV2(true)).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
  });

  it('aborts an idle id (nothing added): the epoch is bumped, which is how a producer recovers from an abortable error', () => {
    for (const state of ['Empty', 'CompleteCommit', 'CompleteAbort'] as const) {
      const t = inState(state);
      const epoch = t.epoch;
      expect(t.endV2(true).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
      const ended = t.endV2(false);
      expect(ended).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: epoch + 1, markerEpoch: epoch + 1 });
      expect(t.coordinator.metadataOf(id)).toMatchObject({ state: 'PrepareAbort', partitions: [], groups: [] });
      t.writeMarkers();
      expect(t.state).toBe('CompleteAbort');
    }
  });

  it('moves to a new producer id when the bump exhausts the epoch: markers at the last epoch, then epoch 0 under the new id', () => {
    const t = inState('Empty');
    const metadata = t.coordinator.metadataOf(id)!;
    t.coordinator = TransactionCoordinator.replay([{ transactionalId: id, metadata: { ...metadata, producerEpoch: 0x7fff - 1 } }]);
    Object.assign(t, { epoch: 0x7fff - 1 });
    const old = t.producerId;
    expect(t.addPartitions(0)).toBe(ErrorCode.NONE);
    const ended = t.endV2(true);
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    expect(ended.markerEpoch).toBe(0x7fff);
    expect(ended.producerId).not.toBe(old);
    expect(ended.producerEpoch).toBe(0);
    // Replayed while the markers are pending, the move still happens when they are written.
    t.coordinator = t.replayed();
    t.writeMarkers();
    expect(t.coordinator.metadataOf(id)).toMatchObject({ producerId: ended.producerId, previousProducerId: old, producerEpoch: 0, nextProducerId: -1, state: 'CompleteCommit' });
    // The old id's last epoch retrying its EndTxn is answered with the new id.
    expect(t.endV2(true)).toEqual({ errorCode: ErrorCode.NONE, producerId: ended.producerId, producerEpoch: 0, markerEpoch: null });
    // The new id goes on.
    Object.assign(t, { producerId: ended.producerId, epoch: 0 });
    expect(t.addPartitions(1)).toBe(ErrorCode.NONE);
    expect(t.endV2(false)).toMatchObject({ errorCode: ErrorCode.NONE, producerId: ended.producerId, producerEpoch: 1 });
  });

  it('TxnOffsetCommit v5 adds its group to the transaction (no AddOffsetsToTxn), starting it if needed; version 1 still needs AddOffsets', () => {
    const t = inState('Empty');
    expect(t.commitOffset(5)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(t.state).toBe('Empty');
    expect(t.commitOffsetV2(5)).toBe(ErrorCode.NONE);
    expect(t.state).toBe('Ongoing');
    expect(t.commitOffsetV2(7, 'h')).toBe(ErrorCode.NONE);
    expect(t.commitOffsetV2(8)).toBe(ErrorCode.NONE);
    expect(t.coordinator.metadataOf(id)!.groups.map((group) => [group.groupId, group.offsets.map((o) => o.offset)])).toEqual([['g', [8]], ['h', [7]]]);
    const ended = t.endV2(true);
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    expect(t.coordinator.pendingMarkers()[0].groups.map((group) => group.groupId)).toEqual(['g', 'h']);
  });

  it('leaves version 1 as it was: EndTxn keeps the epoch and answers it', () => {
    const t = inState('Ongoing');
    const value = t.coordinator.endTxn(t.clock.nowMs(), { transactionalId: id, producerId: t.producerId, producerEpoch: t.epoch, committed: true });
    expect(value.value).toMatchObject({ errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.epoch });
    expect(value.value.markers?.producerEpoch).toBe(t.epoch);
  });
});
