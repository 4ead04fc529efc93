// The calls the host makes of a shard's transaction coordinator: the one list of them, each method
// with the request it takes and the result it answers (txn_api.ts types). The transaction actor
// dispatches through one table typed by it and the host Broker's transaction methods are typed
// from it, so a call added here is a compile error wherever it is not handled yet.
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  DescribedTxn,
  EndTxnRequest,
  EndTxnResponse,
  InitTxnProducerRequest,
  InitTxnProducerResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  TxnErrorResponse,
  TxnOffsetCommitRequest,
} from './txn_api.js';
import type { TxnMarkerWork } from './txn_metadata.js';

export type TxnCalls = {
  initProducerId: { request: InitTxnProducerRequest; result: InitTxnProducerResponse };
  addPartitionsToTxn: { request: AddPartitionsToTxnRequest; result: TxnErrorResponse };
  addOffsetsToTxn: { request: AddOffsetsToTxnRequest; result: TxnErrorResponse };
  txnOffsetCommit: { request: TxnOffsetCommitRequest; result: TxnErrorResponse };
  endTxn: { request: EndTxnRequest; result: EndTxnResponse };
  /** The host wrote a decided transaction's markers: complete it (false: it already was). */
  markersWritten: { request: Pick<TxnMarkerWork, 'transactionalId' | 'producerId' | 'producerEpoch' | 'committed'>; result: boolean };
  /** Decided transactions whose markers are not written yet (after a restart, a timeout, a failed write). */
  pendingMarkers: { request: null; result: readonly TxnMarkerWork[] };
  /** Transactional ids; the host asks each id of its own shard. */
  describeTransactions: { request: readonly string[]; result: readonly DescribedTxn[] };
  /** Every shard is asked; the host merges. */
  listTransactions: { request: ListTransactionsRequest; result: ListTransactionsResponse };
};

export type TxnMethod = keyof TxnCalls;
export type TxnRequestOf<M extends TxnMethod> = TxnCalls[M]['request'];
export type TxnResultOf<M extends TxnMethod> = TxnCalls[M]['result'];

/** Every method, at run time (a record, so a method missing here does not compile). */
const methodSet: Record<TxnMethod, true> = {
  initProducerId: true,
  addPartitionsToTxn: true,
  addOffsetsToTxn: true,
  txnOffsetCommit: true,
  endTxn: true,
  markersWritten: true,
  pendingMarkers: true,
  describeTransactions: true,
  listTransactions: true,
};

export function isTxnMethod(method: string): method is TxnMethod {
  return Object.hasOwn(methodSet, method);
}

/** The transaction side of the broker, as the wire handlers and the embedded client call it. */
export interface TxnFacade {
  initTransactionalProducer(request: Omit<InitTxnProducerRequest, 'freshProducerId'>): Promise<Omit<InitTxnProducerResponse, 'markers'>>;
  addPartitionsToTxn(request: AddPartitionsToTxnRequest): Promise<TxnErrorResponse>;
  addOffsetsToTxn(request: AddOffsetsToTxnRequest): Promise<TxnErrorResponse>;
  txnOffsetCommit(request: TxnOffsetCommitRequest): Promise<TxnErrorResponse>;
  /**
   * Answers once the decision is durable; waits for the markers too unless writing them fails.
   * With NONE, the producer id and epoch the producer goes on with (EndTxn v5 answers them).
   */
  endTxn(request: Omit<EndTxnRequest, 'freshProducerId'>): Promise<Omit<EndTxnResponse, 'markers'>>;
  describeTransactions(transactionalIds: readonly string[]): Promise<DescribedTxn[]>;
  listTransactions(request: ListTransactionsRequest): Promise<ListTransactionsResponse>;
}

const facadeMethodSet: Record<keyof TxnFacade, true> = {
  initTransactionalProducer: true,
  addPartitionsToTxn: true,
  addOffsetsToTxn: true,
  txnOffsetCommit: true,
  endTxn: true,
  describeTransactions: true,
  listTransactions: true,
};

/** The TxnFacade's methods at run time: a broker with all of them serves transactions. */
export const txnFacadeMethods = Object.keys(facadeMethodSet) as (keyof TxnFacade)[];
