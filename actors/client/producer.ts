// KafkaJS's producer, over a BrokerPort (the embedded Broker, or any broker over the wire). Records are partitioned by core/client's
// Partitioner (murmur2 for keys, as the Java client; sticky or round-robin without), gathered per
// partition into one RecordBatch v2 until `linger` passes or `batchSize` fills, then appended with
// the requested acks. Batches of one partition are appended in the order they close, so records a
// caller sent in order keep it.
//
// A transactional producer (`transactionalId`) sends through `transaction()`, as KafkaJS: its first
// transaction asks the transaction coordinator for the id's producer id and epoch (fencing any
// older producer of the id), each partition is added to the transaction before its first batch
// (AddPartitionsToTxn), batches are marked transactional, sendOffsets adds the group
// (AddOffsetsToTxn) and stages the offsets (TxnOffsetCommit), and commit/abort send every batch,
// wait for them, then end the transaction (EndTxn) when anything was added to it.

import { ErrorCode, LanesError, isLanesError } from '../../core/errors.js';
import { Partitioner } from '../../core/client/partitioner.js';
import { codecFor } from '../../core/records/compression.js';
import { BatchWriter, type WriterHeader } from './batch_writer.js';
import type { BrokerPort } from './broker_port.js';
import { InstrumentationEmitter, producerEvents, type ProducerEventName } from './instrumentation.js';
import type { PartitionerArgs } from './partitioners.js';
import { clientRetrySchedule, withRetries } from './retry.js';
import type { RetrySchedule } from '../../core/client/retry_schedule.js';
import type { ClientContext } from './lanes.js';
import { bytesOf, recordHeadersOf } from './messages.js';
import { CompressionTypes, type InstrumentationEvent, type Message, type PartitionMetadata, type ProducerBatch, type ProducerConfig, type ProducerRecord, type RecordMetadata, type RemoveInstrumentationEventListener, type Transaction, type TxnOffsets } from './types.js';

const batchSizeDefault = 512 * 1024;
/** A batch's buffer starts this big and doubles as records come. */
const batchInitialBytes = 64 * 1024;
/** Batch buffers kept for reuse once the broker has answered for what they held. */
const spareBuffersMax = 8;

function checkBytes(value: unknown): void {
  if (value === null || value === undefined || typeof value === 'string' || value instanceof Uint8Array) return;
  bytesOf(value as Buffer); // throws the TypeError naming what was given
}

/** Refuses a message the batch writer could not encode, before anything is queued. */
function checkMessage(message: Message): void {
  if (message === null || typeof message !== 'object') throw new TypeError('each message must be an object');
  checkBytes(message.key);
  checkBytes(message.value);
  if (message.headers !== undefined) recordHeadersOf(message.headers);
  if (message.timestamp !== undefined && !Number.isSafeInteger(Number(message.timestamp))) {
    throw new TypeError(`message timestamp ${String(message.timestamp)} is not a whole number of milliseconds`);
  }
}
const producerResetCodes = new Set<number>([ErrorCode.UNKNOWN_PRODUCER_ID, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, ErrorCode.INVALID_PRODUCER_EPOCH]);

/** Transaction coordinator answers that mean "ask again shortly" (KafkaJS retries them too). */
const txnRetryCodes = new Set<number>([ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
/** Tries of a transaction call answered with a retriable code, and the first pause between them (doubling, at most 1 s). */
const txnAttemptsMax = 20;
const txnRetryPauseMs = 20;

/** The producer's open transaction: what was added to it, and whether a send in it failed. */
interface OpenTransaction {
  /** "topic\0partition" → the AddPartitionsToTxn that added it (batches wait for it). */
  readonly partitions: Map<string, Promise<void>>;
  readonly groups: Set<string>;
  failure: unknown;
  active: boolean;
}

function txnFailure(api: string, errorCode: number): LanesError {
  return new LanesError(errorCode, `${api} was refused by the transaction coordinator`);
}

interface BatchResult {
  baseOffset: number;
  logStartOffset: number;
}

/** Records waiting for one (topic, partition, acks, compression). */
interface OpenBatch {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly acks: -1 | 0 | 1;
  readonly compression: number;
  /** The records so far, already encoded. */
  readonly writer: BatchWriter;
  closed: boolean;
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
  readonly done: Promise<BatchResult>;
  /** The transaction the batch belongs to (transactional producers), or null. */
  readonly txn: OpenTransaction | null;
  resolve(result: BatchResult): void;
  reject(error: unknown): void;
}

function acksOf(acks: number | undefined): -1 | 0 | 1 {
  const value = acks ?? -1;
  if (value !== -1 && value !== 0 && value !== 1) throw new LanesError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${value}`);
  return value;
}

export class Producer {
  /** KafkaJS's producer.events. */
  readonly events = producerEvents;
  readonly #context: ClientContext;
  readonly #emitter: InstrumentationEmitter<ProducerEventName>;
  readonly #port: BrokerPort;
  /** Partition counts as the last send saw them: keyless batches move on by them when they close. */
  readonly #partitionCounts = new Map<string, number>();
  readonly #allowAutoTopicCreation: boolean;
  readonly #lingerMs: number;
  readonly #batchSize: number;
  readonly #partitioner: Partitioner;
  /** The `createPartitioner` partitioner, asked instead of #partitioner when given. */
  readonly #customPartitioner: ((args: PartitionerArgs) => number) | null;
  /** KafkaJS's partitionMetadata for the custom partitioner, by topic (remade when the count changes). */
  readonly #partitionMetadata = new Map<string, PartitionMetadata[]>();
  readonly #open = new Map<string, OpenBatch>();
  /** Buffers of answered batches, written into again instead of allocating (and collecting) new ones. */
  readonly #spareBuffers: Buffer[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  #connected = false;
  readonly #idempotent: boolean;
  /** The idempotent producer's id and epoch, asked for on the first send. */
  #identity: { producerId: number; producerEpoch: number } | null = null;
  #identityPending: Promise<{ producerId: number; producerEpoch: number }> | null = null;
  /** Next sequence number per partition ("topic\0partition"), for the current identity. */
  readonly #sequences = new Map<string, number>();
  readonly #retry: RetrySchedule;
  readonly #transactionalId: string | null;
  readonly #transactionTimeoutMs: number;
  #transaction: OpenTransaction | null = null;

  constructor(context: ClientContext, config: ProducerConfig = {}) {
    this.#context = context;
    this.#emitter = new InstrumentationEmitter(producerEvents, context.logger);
    this.#port = context.openPort(this.#emitter.requestObserver(producerEvents));
    this.#allowAutoTopicCreation = config.allowAutoTopicCreation ?? true;
    this.#transactionalId = config.transactionalId ?? null;
    this.#transactionTimeoutMs = config.transactionTimeout ?? 60_000;
    if (this.#transactionalId !== null && (typeof this.#transactionalId !== 'string' || this.#transactionalId === '')) throw new TypeError('transactionalId must be a non-empty string');
    if (!Number.isInteger(this.#transactionTimeoutMs) || this.#transactionTimeoutMs <= 0) throw new RangeError(`transactionTimeout must be a positive integer (ms), got ${config.transactionTimeout}`);
    if (this.#transactionalId !== null && config.idempotent === false) throw new TypeError('a transactional producer is idempotent: idempotent cannot be false');
    this.#idempotent = config.idempotent === true || this.#transactionalId !== null;
    this.#retry = clientRetrySchedule(context.retry, config.retry);
    this.#lingerMs = config.linger ?? 0;
    this.#batchSize = config.batchSize ?? batchSizeDefault;
    if (!Number.isInteger(this.#lingerMs) || this.#lingerMs < 0) throw new RangeError(`linger must be a non-negative integer (ms), got ${config.linger}`);
    if (!Number.isInteger(this.#batchSize) || this.#batchSize <= 0) throw new RangeError(`batchSize must be a positive integer (bytes), got ${config.batchSize}`);
    this.#partitioner = new Partitioner({
      nullKeyStrategy: config.nullKeyPartitioner ?? 'sticky',
      randomUint32: () => (Math.random() * 0x1_0000_0000) >>> 0,
    });
    if (config.createPartitioner !== undefined && typeof config.createPartitioner !== 'function') throw new TypeError('createPartitioner must be a function returning a partitioner (KafkaJS: Partitioners.DefaultPartitioner)');
    this.#customPartitioner = config.createPartitioner === undefined ? null : config.createPartitioner();
  }

  async connect(): Promise<void> {
    this.#connected = true;
    this.#context.track(this);
    this.#emitter.emit(producerEvents.CONNECT, {});
  }

  /** Sends what is waiting, waits for every batch in flight, and disconnects. */
  async disconnect(): Promise<void> {
    this.#connected = false;
    await this.flush();
    this.#context.untrack(this);
    await this.#port.close();
    this.#emitter.emit(producerEvents.DISCONNECT, {});
  }

  /** KafkaJS's instrumentation: `producer.on(producer.events.REQUEST, (event) => …)`; returns the remover. */
  on<T = unknown>(eventName: ProducerEventName, listener: (event: InstrumentationEvent<T>) => void | Promise<void>): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener);
  }

  /** Sends every open batch now and waits until all batches in flight are answered. */
  async flush(): Promise<void> {
    for (const batch of [...this.#open.values()]) this.#close(batch);
    await Promise.allSettled([...this.#inFlight]);
  }

  isIdempotent(): boolean {
    return this.#idempotent;
  }

  /**
   * Starts a transaction (transactional producers only; one at a time). The first one also gets
   * the transactional id's producer id and epoch, fencing any older producer of the id.
   */
  async transaction(): Promise<Transaction> {
    const transactionalId = this.#transactionalId;
    if (transactionalId === null) throw new LanesError(ErrorCode.INVALID_TXN_STATE, 'transaction() needs a producer created with a transactionalId');
    if (this.#transaction !== null) throw new LanesError(ErrorCode.INVALID_TXN_STATE, 'There is already an ongoing transaction for this producer. Please end the transaction before beginning another.');
    if (!this.#connected) throw new LanesError(ErrorCode.NETWORK_EXCEPTION, 'the producer is not connected: call connect() first');
    const txn: OpenTransaction = { partitions: new Map(), groups: new Set(), failure: null, active: true };
    this.#transaction = txn;
    if (this.#identity === null) {
      try {
        const current = { producerId: -1, producerEpoch: -1 };
        const grant = await this.#txnCall('InitProducerId', () =>
          this.#port.transactions.initTransactionalProducer({ transactionalId, transactionTimeoutMs: this.#transactionTimeoutMs, ...current }),
        );
        this.#identity = { producerId: grant.producerId, producerEpoch: grant.producerEpoch };
        this.#sequences.clear();
      } catch (error) {
        this.#transaction = null;
        throw error;
      }
    }
    return {
      send: (record) => this.#sendBatch(this.#batchOf(record), txn),
      sendBatch: (batch) => this.#sendBatch(batch, txn),
      sendOffsets: (offsets) => this.#sendOffsets(txn, offsets),
      commit: () => this.#endTransaction(txn, true),
      abort: () => this.#endTransaction(txn, false),
      isActive: () => txn.active,
    };
  }

  /** A transaction call, asked again while the coordinator answers a retriable code; any other error code throws. */
  async #txnCall<Answer extends { errorCode: number }>(api: string, call: () => Promise<Answer>): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const answer = await call();
      if (answer.errorCode === ErrorCode.NONE) return answer;
      if (!txnRetryCodes.has(answer.errorCode) || attempt >= txnAttemptsMax) throw txnFailure(api, answer.errorCode);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, txnRetryPauseMs * 2 ** (attempt - 1))));
    }
  }

  #producerOf(txn: OpenTransaction): { transactionalId: string; producerId: number; producerEpoch: number } {
    if (!txn.active || this.#transaction !== txn) throw new LanesError(ErrorCode.INVALID_TXN_STATE, 'the transaction has ended');
    const identity = this.#identity;
    if (identity === null || this.#transactionalId === null) throw new LanesError(ErrorCode.INVALID_TXN_STATE, 'the producer lost its producer id: start a new transaction');
    return { transactionalId: this.#transactionalId, ...identity };
  }

  async #sendOffsets(txn: OpenTransaction, offsets: TxnOffsets): Promise<void> {
    const producer = this.#producerOf(txn);
    const groupId = offsets.consumerGroupId;
    if (!txn.groups.has(groupId)) {
      await this.#txnCall('AddOffsetsToTxn', () => this.#port.transactions.addOffsetsToTxn({ ...producer, groupId }));
      txn.groups.add(groupId);
    }
    const staged = offsets.topics.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic, partition, offset: Number(offset), leaderEpoch: -1, metadata: null })),
    );
    await this.#txnCall('TxnOffsetCommit', () => this.#port.transactions.txnOffsetCommit({ ...producer, groupId, offsets: staged }));
  }

  async #endTransaction(txn: OpenTransaction, committed: boolean): Promise<void> {
    const producer = this.#producerOf(txn);
    await this.flush();
    await Promise.allSettled(txn.partitions.values());
    if (committed && txn.failure !== null) {
      const reason = txn.failure instanceof Error ? txn.failure.message : String(txn.failure);
      throw new LanesError(ErrorCode.INVALID_TXN_STATE, `the transaction cannot commit, a send in it failed (${reason}): abort it`);
    }
    if (txn.partitions.size > 0 || txn.groups.size > 0) {
      await this.#txnCall('EndTxn', () => this.#port.transactions.endTxn({ ...producer, committed }));
    }
    txn.active = false;
    this.#transaction = null;
  }

  #batchOf(record: ProducerRecord): ProducerBatch {
    return { acks: record.acks, timeout: record.timeout, compression: record.compression, topicMessages: [{ topic: record.topic, messages: record.messages }] };
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch(this.#batchOf(record));
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (this.#transactionalId !== null) throw new LanesError(ErrorCode.INVALID_TXN_STATE, 'a transactional producer sends inside a transaction: use producer.transaction()');
    return this.#sendBatch(batch, null);
  }

  async #sendBatch(batch: ProducerBatch, txn: OpenTransaction | null): Promise<RecordMetadata[]> {
    if (!this.#connected) throw new LanesError(ErrorCode.NETWORK_EXCEPTION, 'the producer is not connected: call connect() first');
    if (txn !== null) this.#producerOf(txn);
    const acks = acksOf(batch.acks);
    if (this.#idempotent && acks !== -1) throw new LanesError(ErrorCode.INVALID_REQUIRED_ACKS, `an idempotent producer needs acks -1, got ${acks}`);
    if (this.#idempotent && this.#identity === null) {
      this.#identityPending ??= this.#port.initProducerId().finally(() => (this.#identityPending = null));
      this.#identity = await this.#identityPending;
    }
    const compression = batch.compression ?? CompressionTypes.None;
    if (compression !== CompressionTypes.None && codecFor(compression)?.compress === undefined) {
      throw new LanesError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `the producer cannot compress with codec ${String(compression)}: CompressionTypes has None, GZIP, Snappy, LZ4 and ZSTD`);
    }
    const topicMessages = batch.topicMessages ?? [];
    // Partition counts first (creating topics if allowed), so that every record is placed before any is queued.
    const counts = new Map<string, number>();
    for (const { topic } of topicMessages) {
      if (counts.has(topic)) continue;
      let count = await this.#port.partitionCount(topic);
      if (count === undefined) {
        if (!this.#allowAutoTopicCreation) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
        count = await this.#port.ensureTopic(topic);
      }
      counts.set(topic, count);
      this.#partitionCounts.set(topic, count);
    }
    // Every message is checked before any is queued, so a bad one fails the call with nothing sent.
    for (const { messages } of topicMessages) for (const message of messages) checkMessage(message);
    const nowMs = Date.now();
    // One result per batch a record went into; several batches of one partition report the first.
    const results = new Map<string, { topic: string; partition: number; done: Promise<BatchResult> }>();
    for (const { topic, messages } of topicMessages) {
      const partitionCount = counts.get(topic)!;
      let open: OpenBatch | null = null;
      for (const message of messages) {
        // String keys become bytes once: the hash and the batch read the same copy.
        const key = message.key === null || message.key === undefined ? null : typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;
        const partition = this.#customPartitioner === null
          ? this.#partitioner.partition({ topic, partitionCount, key, partition: message.partition ?? null })
          : this.#customPartition(this.#customPartitioner, topic, partitionCount, message);
        if (open === null || open.closed || open.partition !== partition) {
          open = this.#openBatch(topic, partition, acks, compression, txn);
          const resultKey = `${topic}\u0000${partition}`;
          if (!results.has(resultKey)) results.set(resultKey, { topic, partition, done: open.done });
        }
        const timestamp = message.timestamp === undefined ? nowMs : Number(message.timestamp);
        const headers: WriterHeader[] | null = message.headers === undefined ? null : recordHeadersOf(message.headers);
        open.writer.append(key, typeof message.value === 'string' ? message.value : (message.value ?? null), headers, timestamp);
        if (open.writer.bytes >= this.#batchSize) {
          this.#close(open);
          // Keyless records move on once the batch they were filling has closed (KIP-480).
          this.#partitioner.batchClosed({ topic, partition, partitionCount });
        }
      }
    }
    const metadata: RecordMetadata[] = [];
    for (const { topic, partition, done } of results.values()) {
      const result = await done;
      metadata.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(result.baseOffset), logAppendTime: '-1', logStartOffset: String(result.logStartOffset) });
    }
    return metadata;
  }

  /** The partition a `createPartitioner` partitioner chose, refused unless it is one of the topic's. */
  #customPartition(partitioner: (args: PartitionerArgs) => number, topic: string, partitionCount: number, message: Message): number {
    let partitionMetadata = this.#partitionMetadata.get(topic);
    if (partitionMetadata?.length !== partitionCount) {
      // The producer knows partition counts, not leaders: every partition is given as led (node 0).
      partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] }));
      this.#partitionMetadata.set(topic, partitionMetadata);
    }
    const partition = partitioner({ topic, partitionMetadata, message });
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `the producer's partitioner chose partition ${String(partition)} for ${topic}, which has ${partitionCount} partitions`);
    }
    return partition;
  }

  /** The open batch of this partition (and acks and compression), opened if there is none. */
  #openBatch(topic: string, partition: number, acks: -1 | 0 | 1, compression: number, txn: OpenTransaction | null): OpenBatch {
    const key = `${topic}\u0000${partition}\u0000${acks}\u0000${compression}`;
    const existing = this.#open.get(key);
    if (existing !== undefined) return existing;
    let resolve!: (result: BatchResult) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<BatchResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller may never await (acks=0 style fire-and-forget); unobserved failures must not crash the process.
    done.catch(() => {});
    const batch: OpenBatch = { key, topic, partition, acks, compression, writer: new BatchWriter(this.#spareBuffers.pop() ?? Math.min(this.#batchSize + 1024, batchInitialBytes)), closed: false, timer: null, done, txn, resolve, reject };
    batch.timer = this.#lingerMs === 0 ? setImmediate(() => this.#close(batch)) : setTimeout(() => this.#close(batch), this.#lingerMs);
    this.#open.set(key, batch);
    return batch;
  }

  #close(batch: OpenBatch): void {
    if (batch.closed) return;
    batch.closed = true;
    this.#open.delete(batch.key);
    if (batch.timer !== null) {
      clearTimeout(batch.timer as NodeJS.Timeout);
      clearImmediate(batch.timer as NodeJS.Immediate);
    }
    const partitionCount = this.#partitionCounts.get(batch.topic);
    if (partitionCount !== undefined && batch.writer.bytes < this.#batchSize) this.#partitioner.batchClosed({ topic: batch.topic, partition: batch.partition, partitionCount });
    let bytes: Uint8Array;
    const identity = this.#identity;
    const sequenceKey = `${batch.topic}\u0000${batch.partition}`;
    const baseSequence = identity === null ? -1 : (this.#sequences.get(sequenceKey) ?? 0);
    try {
      bytes = batch.writer.finish(identity === null ? { compression: batch.compression } : { compression: batch.compression, ...identity, baseSequence, transactional: batch.txn !== null });
    } catch (error) {
      batch.reject(error);
      return;
    }
    // Sequence numbers wrap at 2^31 - 1 (Kafka's DefaultRecordBatch.incrementSequence).
    if (identity !== null) this.#sequences.set(sequenceKey, (baseSequence + batch.writer.count) % 0x8000_0000);
    // The port is done with the bytes once it answers (acks 0 answers before the write is sure).
    // A compressed batch is a copy: its writer's buffer is free at once.
    const buffer = batch.writer.buffer;
    if (batch.compression !== CompressionTypes.None) this.#recycle(buffer);
    // In a transaction, the partition is added to it before its first batch goes (later batches of
    // the partition wait for the same call, so they keep their order).
    const added = batch.txn === null || identity === null ? null : this.#addPartition(batch.txn, identity, batch.topic, batch.partition);
    // A retriable refusal (a moved leader, a lost connection) sends the same bytes again: an
    // idempotent producer's broker answers a copy it already has with the first offsets.
    const produce = () => withRetries(this.#retry, () => this.#port.produce(batch.topic, batch.partition, bytes, batch.acks, this.#transactionalId ?? undefined));
    const produced = (added === null ? produce() : added.then(produce)).then(
      (result) => {
        if (batch.compression === CompressionTypes.None && batch.acks !== 0) this.#recycle(buffer);
        batch.resolve({ baseOffset: result.baseOffset, logStartOffset: result.logStartOffset });
      },
      (error: unknown) => {
        // The broker lost track of this producer or saw a gap: start over with a new id, as
        // Kafka's producer does after UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER.
        if (batch.txn !== null) batch.txn.failure ??= error;
        else if (identity !== null && this.#identity === identity && isLanesError(error) && producerResetCodes.has(error.errorCode)) {
          this.#identity = null;
          this.#sequences.clear();
        }
        batch.reject(error);
      },
    );
    this.#inFlight.add(produced);
    void produced.finally(() => this.#inFlight.delete(produced));
  }

  #addPartition(txn: OpenTransaction, identity: { producerId: number; producerEpoch: number }, topic: string, partition: number): Promise<void> {
    const key = `${topic}\u0000${partition}`;
    let added = txn.partitions.get(key);
    if (added === undefined) {
      const transactionalId = this.#transactionalId!;
      added = this.#txnCall('AddPartitionsToTxn', () => this.#port.transactions.addPartitionsToTxn({ transactionalId, ...identity, partitions: [{ topic, partition }] })).then(() => undefined);
      added.catch(() => {});
      txn.partitions.set(key, added);
    }
    return added;
  }

  #recycle(buffer: Buffer): void {
    if (this.#spareBuffers.length < spareBuffersMax && buffer.length <= this.#batchSize + batchInitialBytes) this.#spareBuffers.push(buffer);
  }
}
