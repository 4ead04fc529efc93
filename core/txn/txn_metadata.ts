// One transactional id's state, as the coordinator holds it and as the transaction state log
// stores it: the whole of it in every record, so replay keeps the latest record per id (Kafka's
// __transaction_state does the same with its TransactionLogValue).
import type { TxnState } from './txn_state.js';

export interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset a TxnOffsetCommit staged for a group: committed with the transaction, dropped on abort. */
export interface TxnPendingOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** A group added by AddOffsetsToTxn, and the offsets staged for it so far. */
export interface TxnGroupOffsets {
  readonly groupId: string;
  readonly offsets: readonly TxnPendingOffset[];
}

export interface TxnMetadata {
  readonly transactionalId: string;
  readonly producerId: number;
  /** The id this one replaced when its epoch ran out (a retried InitProducerId is answered the new one), or −1. */
  readonly previousProducerId: number;
  readonly producerEpoch: number;
  /** The epoch before the last bump (a retried InitProducerId gets the current one back), or −1. */
  readonly lastProducerEpoch: number;
  /**
   * Transaction version 2, while Prepare*: the producer id the id moves to once the markers are
   * written, because this transaction's epoch bump exhausted the epoch; −1 otherwise. Absent in
   * records written before transaction version 2 (read as −1).
   */
  readonly nextProducerId: number;
  readonly timeoutMs: number;
  readonly state: TxnState;
  /** Data partitions of the transaction, in the order they were added. */
  readonly partitions: readonly TxnPartition[];
  /** Groups whose offsets the transaction commits. */
  readonly groups: readonly TxnGroupOffsets[];
  /** When the open transaction started (its timeout counts from here), or −1 when none is open. */
  readonly startMs: number;
  /** The last change: an idle id expires counting from here. */
  readonly updateMs: number;
}

/** What the host writes for a decided transaction: markers on its partitions, its groups' offsets. */
export interface TxnMarkerWork {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly committed: boolean;
  readonly partitions: readonly TxnPartition[];
  /** Only when committed: the offsets the groups get. */
  readonly groups: readonly TxnGroupOffsets[];
}

export function markerWorkOf(metadata: TxnMetadata): TxnMarkerWork {
  const committed = metadata.state === 'PrepareCommit';
  return {
    transactionalId: metadata.transactionalId,
    producerId: metadata.producerId,
    producerEpoch: metadata.producerEpoch,
    committed,
    partitions: metadata.partitions,
    groups: committed ? metadata.groups.filter((group) => group.offsets.length > 0) : [],
  };
}

/** The partitions grouped by topic, topics in first-added order (DescribeTransactions' shape). */
export function partitionsByTopic(partitions: readonly TxnPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [partition]);
    else list.push(partition);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}
