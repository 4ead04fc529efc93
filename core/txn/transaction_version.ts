// Kafka's `transaction.version` feature (KIP-890, KIP-1022): which transaction protocol clients
// use. ApiVersions (v3+) advertises it as supported 0–2 and finalized at the broker's level; a
// client at level 2 uses transaction version 2 (EndTxn v5, TxnOffsetCommit v5, Produce v12's
// implicit partition add), below it the first protocol (AddPartitionsToTxn before producing,
// AddOffsetsToTxn before TxnOffsetCommit, one epoch for every transaction of a producer).
//
// What a request means is decided by its version, as Kafka decides it: EndTxn v5 ends with an
// epoch bump and TxnOffsetCommit v5 adds its group whatever the level; only Produce's implicit
// add needs the level, since Produce v12 is also what a level-1 client may send.

export const transactionVersionFeature = 'transaction.version';
/** The levels Lanes serves: 0 and 1 (the first protocol) and 2 (KIP-890 part 2). */
export const transactionVersionMin = 0;
export const transactionVersionMax = 2;
/** Kafka 4.x's level for a new cluster. */
export const transactionVersionDefault = 2;

export function isTransactionVersion(level: number): boolean {
  return Number.isInteger(level) && level >= transactionVersionMin && level <= transactionVersionMax;
}

/** Produce from this version adds a transaction's partitions itself at level 2 (KIP-890 part 2). */
export const produceImplicitAddFromVersion = 12;
/** EndTxn from this version bumps the epoch at the end of every transaction and answers it. */
export const endTxnVersion2FromVersion = 5;
/** TxnOffsetCommit from this version adds its group to the transaction (no AddOffsetsToTxn). */
export const txnOffsetCommitVersion2FromVersion = 5;
