// The open transactions, as the dashboard shows them: each with its state, age and timeout, and
// for every partition it writes how far that partition's last stable offset trails its log end.
// That gap is what an open transaction costs its readers: a read_committed consumer reads up to
// the last stable offset only, so the records behind it (the transaction's and everyone else's)
// wait until every transaction open on the partition commits or aborts. Main thread.
import { openTxnStates } from '../../core/txn/txn_state.js';
import type { Broker } from '../host/broker.js';

export { openTxnStates };

export interface HeldPartition {
  topic: string;
  partition: number;
  lastStableOffset: number;
  logEndOffset: number;
  /** logEndOffset − lastStableOffset: records a read_committed reader cannot read yet. */
  stableLag: number;
}

export interface TransactionOverview {
  transactionalId: string;
  state: string;
  producerId: number;
  producerEpoch: number;
  /** Since the transaction began; null when the coordinator has no start time for it. */
  ageMs: number | null;
  timeoutMs: number;
  /** Consumer groups whose offsets it commits. */
  groups: string[];
  partitions: HeldPartition[];
}

export type TransactionsBroker = Pick<Broker, 'listTransactions' | 'describeTransactions' | 'describeTopic'>;

/** Every open transaction, oldest first (by age; unknown ages last), its partitions in order. */
export async function openTransactions(broker: TransactionsBroker, nowMs: number): Promise<TransactionOverview[]> {
  const listed = await broker.listTransactions({ states: openTxnStates, producerIds: [], durationMsMin: -1 });
  if (listed.transactions.length === 0) return [];
  const described = await broker.describeTransactions(listed.transactions.map((txn) => txn.transactionalId));
  const open = described.filter((txn) => (openTxnStates as readonly string[]).includes(txn.state));
  return open
    .map((txn): TransactionOverview => ({
      transactionalId: txn.transactionalId,
      state: txn.state,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      ageMs: txn.startMs < 0 ? null : Math.max(0, nowMs - txn.startMs),
      timeoutMs: txn.timeoutMs,
      groups: [...txn.groups].sort(),
      partitions: txn.topics
        .flatMap(({ topic, partitions }) => {
          const described = broker.describeTopic(topic)?.partitions ?? [];
          return partitions.map((partition): HeldPartition => {
            const found = described.find((p) => p.partition === partition);
            const logEndOffset = found?.highWatermark ?? 0;
            const lastStableOffset = found?.lastStableOffset ?? logEndOffset;
            return { topic, partition, lastStableOffset, logEndOffset, stableLag: Math.max(0, logEndOffset - lastStableOffset) };
          });
        })
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)),
    }))
    .sort((a, b) => (b.ageMs ?? -1) - (a.ageMs ?? -1));
}
