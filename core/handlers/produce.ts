// Produce. Each partition's record set is handed to the broker
// as received (views into the request frame; the broker validates and copies them into the log)
// and answered with its own error code, so one bad partition never fails the others.
//
// Order: every broker.produce call is started synchronously, before the first await, so two
// pipelined Produce requests on one connection append in the order they were sent even though
// the connection handles requests concurrently.
//
// v13 names topics by id (KIP-516): each is resolved to its name once, and an id the broker does
// not know (a deleted topic, or one never made) fails its partitions with UNKNOWN_TOPIC_ID.
//
// acks = 0: the work is done and errors are logged by nobody but the broker; no response is
// written (the client does not read one).
import { assert } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { produceApi, produceTopicIdsFromVersion } from '../protocol/messages/produce.js';
import type { ProduceRequest, ProduceResponsePartition, ProduceResponseTopic } from '../protocol/messages/produce.js';
import { attributeTransactional, BatchField, batchLogOverheadBytes, readInt16, readInt32, readInt64 } from '../records/record_batch.js';
import { recordBatchHeaderBytes } from '../limits.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, noResponse, type ProduceOutcome, type RequestContext } from './handler.js';
import { AclOperation, mayOnTopic, mayOnTransactionalId } from './authorize.js';
import { produceImplicitAddFromVersion, transactionVersionDefault } from '../txn/transaction_version.js';

/** Splits a partition's record set into batch views; null when the lengths do not add up. */
export function splitBatches(records: Uint8Array): Uint8Array[] | null {
  const batches: Uint8Array[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < batchLogOverheadBytes) return null;
    const total = batchLogOverheadBytes + readInt32(records, at + 8);
    if (total <= batchLogOverheadBytes || total > records.length - at) return null;
    batches.push(records.subarray(at, at + total));
    at += total;
  }
  return batches.length === 0 ? null : batches;
}

type Outcome = { ok: true; result: ProduceOutcome } | { ok: false; errorCode: number; message: string };

// Module-level reactions (not closures per append): the produce path runs for every request.
const settleOk = (result: ProduceOutcome): Outcome => ({ ok: true, result });
const settleFailed = (error: unknown): Outcome => ({ ok: false, errorCode: errorCodeOf(error), message: errorMessageOf(error) });

/** v10+'s CurrentLeader when the leader has not moved (always, on one node): left off the wire. */
const noLeaderChange: ProduceResponsePartition['currentLeader'] = { leaderId: -1, leaderEpoch: -1 };

function settle(promise: Promise<ProduceOutcome>): Promise<Outcome> {
  return promise.then(settleOk, settleFailed);
}

/** A partition's answer: its first failed append, else its first append (the batches are one set). */
async function partitionOutcome(appends: Promise<Outcome>[]): Promise<Outcome> {
  let first: Outcome | null = null;
  for (let index = 0; index < appends.length; index++) {
    const outcome = await appends[index];
    if (!outcome.ok) return outcome;
    first ??= outcome;
  }
  assert(first !== null, 'a partition has at least one batch');
  return first;
}

/** Authorizer answers (core/handlers/authorize.ts): WRITE on the topic, and on the transactional id for a transaction's batches. */
const topicRefused: Outcome = { ok: false, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: 'producing to this topic needs WRITE on it' };
const transactionRefused: Outcome = { ok: false, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, message: 'a transaction needs WRITE on its transactional id' };

/**
 * Transaction version 2 (KIP-890 part 2): a transactional Produce v12+ adds its partitions to the
 * transaction itself, through the transaction coordinator, before anything is appended. Answers,
 * per partition key, the error its appends are refused with (none: NONE). The producer is the one
 * the batches name (each partition's first batch; the partition checks every batch's on append).
 * Errors are Kafka's as a produce sees them: PRODUCER_FENCED is INVALID_PRODUCER_EPOCH, and what
 * the producer should retry (CONCURRENT_TRANSACTIONS, a coordinator not available) is
 * NOT_ENOUGH_REPLICAS.
 */
async function addedImplicitly(ctx: RequestContext, transactionalId: string, targets: readonly { topic: string; partition: number; records: Uint8Array }[]): Promise<Map<string, number>> {
  const refused = new Map<string, number>();
  const txns = ctx.txns ?? null;
  const byProducer = new Map<string, { producerId: number; producerEpoch: number; partitions: { topic: string; partition: number }[] }>();
  for (const target of targets) {
    if (target.records.length < recordBatchHeaderBytes || (readInt16(target.records, BatchField.attributes) & attributeTransactional) === 0) continue;
    const producerId = readInt64(target.records, BatchField.producerId);
    const producerEpoch = readInt16(target.records, BatchField.producerEpoch);
    const key = `${producerId}\u0000${producerEpoch}`;
    const entry = byProducer.get(key) ?? { producerId, producerEpoch, partitions: [] };
    entry.partitions.push({ topic: target.topic, partition: target.partition });
    byProducer.set(key, entry);
  }
  for (const { producerId, producerEpoch, partitions } of byProducer.values()) {
    let errorCode: number;
    if (txns === null) errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    else {
      try {
        errorCode = (await txns.addPartitionsToTxn({ transactionalId, producerId, producerEpoch, partitions })).errorCode;
      } catch (error) {
        errorCode = errorCodeOf(error);
      }
    }
    if (errorCode === ErrorCode.NONE) continue;
    const answered = implicitAddErrors.get(errorCode) ?? errorCode;
    for (const { topic, partition } of partitions) refused.set(`${partition}\u0000${topic}`, answered);
  }
  return refused;
}

const implicitAddErrors = new Map<number, number>([
  [ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH],
  [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NOT_ENOUGH_REPLICAS],
  [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_ENOUGH_REPLICAS],
  [ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_ENOUGH_REPLICAS],
  [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_ENOUGH_REPLICAS],
]);

/** Whether this request adds its transaction's partitions itself (see addedImplicitly). */
function addsImplicitly(ctx: RequestContext, transactionalId: string | null): transactionalId is string {
  return transactionalId !== null && ctx.apiVersion >= produceImplicitAddFromVersion && (ctx.settings.transactionVersion ?? transactionVersionDefault) >= 2;
}

export const produce = defineHandler({
  api: produceApi,
  async handle(ctx, request) {
    if (!addsImplicitly(ctx, request.transactionalId)) return produceWith(ctx, request, null);
    // The appends start once the coordinator answered; two pipelined requests of one producer
    // still append in order, since one coordinator answers its calls in the order they came.
    const byId = ctx.apiVersion >= produceTopicIdsFromVersion;
    const targets = [];
    for (const topic of request.topics) {
      const topicName = byId ? ctx.broker.topicNameById(topic.topicId) : topic.topicName;
      if (topicName === undefined || !mayOnTopic(ctx, AclOperation.WRITE, topicName) || !mayOnTransactionalId(ctx, AclOperation.WRITE, request.transactionalId)) continue;
      for (const partition of topic.partitions) {
        if (partition.records !== null && ctx.broker.describeTopic(topicName) !== undefined) targets.push({ topic: topicName, partition: partition.partitionIndex, records: partition.records });
      }
    }
    return produceWith(ctx, request, await addedImplicitly(ctx, request.transactionalId, targets));
  },
});

/** Produce, with the partitions an implicit add refused (partition key → error code) refused. */
async function produceWith(ctx: RequestContext, request: ProduceRequest, refusedByAdd: ReadonlyMap<string, number> | null) {
    const acks = request.acks;
    const acksValid = acks === -1 || acks === 0 || acks === 1;
    const options = { acks: acks as -1 | 0 | 1 };
    // Start every append now (see the ordering note above), then wait for them in order. Every
    // append already has its reactions (settle), so none rejects unobserved while we wait.
    const pending: (Outcome | Promise<Outcome>)[] = [];
    const byId = ctx.apiVersion >= produceTopicIdsFromVersion;
    const topicNames: (string | undefined)[] = [];
    const refusedTransaction = request.transactionalId !== null && !mayOnTransactionalId(ctx, AclOperation.WRITE, request.transactionalId) ? transactionRefused : null;
    for (const topic of request.topics) {
      const topicName = byId ? ctx.broker.topicNameById(topic.topicId) : topic.topicName;
      topicNames.push(topicName);
      const refused = refusedTransaction ?? (topicName === undefined || mayOnTopic(ctx, AclOperation.WRITE, topicName) ? null : topicRefused);
      for (const partition of topic.partitions) {
        if (topicName === undefined) {
          pending.push({ ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, message: 'no topic has this topic id' });
          continue;
        }
        if (!acksValid) {
          pending.push({ ok: false, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, message: `acks must be -1, 0 or 1, got ${acks}` });
          continue;
        }
        if (refused !== null) {
          pending.push(refused);
          continue;
        }
        const addError = refusedByAdd?.get(`${partition.partitionIndex}\u0000${topicName}`);
        if (addError !== undefined) {
          pending.push({ ok: false, errorCode: addError, message: 'the partition could not be added to the transaction' });
          continue;
        }
        const batches = partition.records === null ? null : splitBatches(partition.records);
        if (batches === null) {
          pending.push({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'the record set is not a sequence of whole record batches' });
          continue;
        }
        if (batches.length === 1) {
          pending.push(settle(ctx.broker.produce(topicName, partition.partitionIndex, batches[0], options)));
          continue;
        }
        const appends: Promise<Outcome>[] = [];
        for (const batch of batches) appends.push(settle(ctx.broker.produce(topicName, partition.partitionIndex, batch, options)));
        pending.push(partitionOutcome(appends));
      }
    }
    const responses: ProduceResponseTopic[] = [];
    let next = 0;
    for (let topicIndex = 0; topicIndex < request.topics.length; topicIndex++) {
      const topic = request.topics[topicIndex];
      const partitions: ProduceResponsePartition[] = [];
      for (const partition of topic.partitions) {
        const outcome = await pending[next++];
        const index = partition.partitionIndex;
        partitions.push(
          outcome.ok
            ? { partitionIndex: index, errorCode: ErrorCode.NONE, baseOffset: outcome.result.baseOffset, logAppendTimeMs: -1, logStartOffset: outcome.result.logStartOffset, recordErrors: [], errorMessage: null, currentLeader: noLeaderChange }
            : { partitionIndex: index, errorCode: outcome.errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: outcome.message, currentLeader: noLeaderChange },
        );
      }
      responses.push({ topicName: topicNames[topicIndex] ?? '', topicId: topic.topicId, partitions });
    }
    assert(next === pending.length, 'every partition got its answer');
    if (acks === 0) return noResponse;
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
}
