// The states of one transactional id and the moves allowed between them, after Kafka's
// TransactionState. The table is the spec: `assertTransition` refuses any other move, because a
// transaction in a state nobody designed for could commit what was meant to be aborted.
//
//   Empty ──AddPartitions/AddOffsets──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
//     ▲                                  │  │    ──EndTxn(abort)───▶ PrepareAbort  ──markers──▶ CompleteAbort
//     │                                  │  └─ InitProducerId / timeout ─▶ PrepareEpochFence ─▶ PrepareAbort
//     └── InitProducerId (epoch bump) ◀── Complete* ── AddPartitions ──▶ Ongoing
//   Empty, Complete* ──idle past transactional.id.expiration.ms──▶ Dead (the id is then forgotten)
//   Empty, Complete* ──EndTxn(abort), transaction version 2──▶ PrepareAbort (an abort with nothing
//     added, which bumps the epoch: how a version 2 producer recovers from an abortable error)
//
// What each state means:
// - Empty: the id has a producer id and epoch and no transaction.
// - Ongoing: partitions or a group's offsets were added; the transaction is open and its timeout runs.
// - PrepareCommit / PrepareAbort: the decision is durable; markers are being written. The client
//   gets CONCURRENT_TRANSACTIONS for a new transaction until they are.
// - CompleteCommit / CompleteAbort: markers written everywhere; the next transaction may start.
// - PrepareEpochFence: a newer producer (InitProducerId) or the timeout fenced the epoch of an
//   ongoing transaction: the epoch is bumped and the transaction goes on to PrepareAbort.
// - Dead: expired; removed at once (a tombstone in the log).

import { assert } from '../assert.js';

export const txnStates = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead'] as const;
export type TxnState = (typeof txnStates)[number];

/** For each state, the states a transaction may enter it from (Kafka's validPreviousStates). */
const allowedFrom: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  PrepareEpochFence: ['Ongoing'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
};

export function isTxnTransitionAllowed(from: TxnState, to: TxnState): boolean {
  return allowedFrom[to].includes(from);
}

export function assertTxnTransition(transactionalId: string, from: TxnState, to: TxnState): void {
  assert(isTxnTransitionAllowed(from, to), `transaction ${transactionalId}: illegal transition ${from} → ${to}`);
}

export function isTxnState(value: string): value is TxnState {
  return (txnStates as readonly string[]).includes(value);
}

/** A transaction whose decision is durable but whose markers are not all written yet. */
export function isPrepared(state: TxnState): state is 'PrepareCommit' | 'PrepareAbort' {
  return state === 'PrepareCommit' || state === 'PrepareAbort';
}

/** No transaction open: a new one may start (AddPartitions) or the epoch be bumped (InitProducerId). */
export function isIdle(state: TxnState): boolean {
  return state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort';
}

/** A transaction is open from its first AddPartitions/AddOffsets until its markers are all written. */
export const openTxnStates: readonly TxnState[] = txnStates.filter((state) => !isIdle(state) && state !== 'Dead');
