// Version-independent requests and answers of the transaction coordinator (the wire handlers map
// the codec's structs to these). Producer ids are numbers: they stay below 2^53 (see
// core/handlers/init_producer_id.ts).
import type { TxnMarkerWork, TxnPartition, TxnPendingOffset } from './txn_metadata.js';
import type { TxnState } from './txn_state.js';

/** The producer a request speaks for. */
export interface TxnProducer {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface InitTxnProducerRequest {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** The producer's current id and epoch (InitProducerId v3+), or −1, −1. */
  readonly producerId: number;
  readonly producerEpoch: number;
  /** A producer id the host allocated, used if this id needs a new one (first use, epoch exhausted). */
  readonly freshProducerId: number;
}

export interface InitTxnProducerResponse {
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  /** An ongoing transaction this call fenced: the host writes its abort markers. */
  readonly markers: TxnMarkerWork | null;
}

export interface AddPartitionsToTxnRequest extends TxnProducer {
  readonly partitions: readonly TxnPartition[];
}

export interface AddOffsetsToTxnRequest extends TxnProducer {
  readonly groupId: string;
}

export interface TxnOffsetCommitRequest extends TxnProducer {
  readonly groupId: string;
  readonly offsets: readonly TxnPendingOffset[];
  /**
   * Transaction version 2 (KIP-890 part 2, TxnOffsetCommit v5+): the group joins the transaction
   * here if it has not (no AddOffsetsToTxn first). Absent: false.
   */
  readonly addsGroup?: boolean;
}

export interface EndTxnRequest extends TxnProducer {
  readonly committed: boolean;
  /**
   * Transaction version 2 (KIP-890 part 2, EndTxn v5+): every transaction ends with an epoch bump,
   * so a late write of this transaction is fenced by its own markers. Absent: false (version 1).
   */
  readonly transactionVersion2?: boolean;
  /** Version 2: a producer id the host allocated, taken if the bump exhausts the epoch. */
  readonly freshProducerId?: number;
}

export interface EndTxnResponse {
  readonly errorCode: number;
  /** The decided transaction (now PrepareCommit or PrepareAbort): the host writes its markers. */
  readonly markers: TxnMarkerWork | null;
  /**
   * With NONE, the producer id and epoch the producer goes on with once the transaction is
   * complete (EndTxn v5 answers them): version 2's bumped epoch, or a new id at epoch 0 once the
   * epoch ran out; version 1's unchanged. −1, −1 otherwise.
   */
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** One answer code for the whole request. */
export interface TxnErrorResponse {
  readonly errorCode: number;
}

export interface DescribedTxn {
  readonly transactionalId: string;
  /** NONE, or TRANSACTIONAL_ID_NOT_FOUND. */
  readonly errorCode: number;
  readonly state: TxnState | 'Dead';
  readonly timeoutMs: number;
  readonly startMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly topics: readonly { topic: string; partitions: readonly number[] }[];
  /** Groups whose offsets the transaction commits (not on the wire; the CLI shows them). */
  readonly groups: readonly string[];
  /**
   * The partitions the transaction staged offsets for, per group (TxnOffsetCommit; not on the
   * wire): OffsetFetch with requireStable answers exactly these UNSTABLE_OFFSET_COMMIT.
   */
  readonly stagedOffsets: readonly { readonly groupId: string; readonly topic: string; readonly partition: number }[];
}

export interface ListTransactionsRequest {
  /** States to keep (empty: all). */
  readonly states: readonly string[];
  /** Producer ids to keep (empty: all). */
  readonly producerIds: readonly number[];
  /** Keep only transactions open for longer than this (ListTransactions v1), or −1. */
  readonly durationMsMin: number;
}

export interface ListedTxn {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly state: TxnState;
}

export interface ListTransactionsResponse {
  /** Filter states that are not transaction states (Kafka answers them back). */
  readonly unknownStates: readonly string[];
  readonly transactions: readonly ListedTxn[];
}
