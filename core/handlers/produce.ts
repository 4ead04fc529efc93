// Produce (0), v3–v8 (RecordBatch v2 only). Each partition's record set is handed to the broker
// as received (views into the request frame; the broker validates and copies them into the log)
// and answered with its own error code, so one bad partition never fails the others.
//
// Order: every broker.produce call is started synchronously, before the first await, so two
// pipelined Produce requests on one connection append in the order they were sent even though
// the connection handles requests concurrently.
//
// acks = 0: the work is done and errors are logged by nobody but the broker; no response is
// written (the client does not read one).
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import type { ProduceResponsePartition, ProduceResponseTopic } from '../protocol/messages/produce.js';
import { batchLogOverheadBytes, readInt32 } from '../records/record_batch.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, noResponse, type ProduceOutcome } from './handler.js';

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

function settle(promise: Promise<ProduceOutcome>): Promise<Outcome> {
  return promise.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, errorCode: errorCodeOf(error), message: errorMessageOf(error) }),
  );
}

export const produce = defineHandler({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  versionMin: 3,
  versionMax: 8,
  async handle(ctx, request) {
    const acks = request.acks;
    const acksValid = acks === -1 || acks === 0 || acks === 1;
    // Start every append now (see the ordering note above), then wait for them together.
    const pending = request.topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map((partition) => {
        if (!acksValid) return Promise.resolve<Outcome>({ ok: false, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, message: `acks must be -1, 0 or 1, got ${acks}` });
        const batches = partition.records === null ? null : splitBatches(partition.records);
        if (batches === null) return Promise.resolve<Outcome>({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'the record set is not a sequence of whole record batches' });
        const appends = batches.map((batch) => settle(ctx.broker.produce(topic.topicName, partition.partitionIndex, batch, { acks: acks as -1 | 0 | 1 })));
        return Promise.all(appends).then((outcomes) => outcomes.find((outcome) => !outcome.ok) ?? outcomes[0]);
      }),
    }));
    const responses: ProduceResponseTopic[] = [];
    for (const [topicIndex, topic] of pending.entries()) {
      const partitions: ProduceResponsePartition[] = [];
      for (const [partitionIndex, outcome] of (await Promise.all(topic.partitions)).entries()) {
        const index = request.topics[topicIndex].partitions[partitionIndex].partitionIndex;
        partitions.push(
          outcome.ok
            ? { partitionIndex: index, errorCode: ErrorCode.NONE, baseOffset: outcome.result.baseOffset, logAppendTimeMs: -1, logStartOffset: outcome.result.logStartOffset, recordErrors: [], errorMessage: null }
            : { partitionIndex: index, errorCode: outcome.errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: outcome.message },
        );
      }
      responses.push({ topicName: topic.topicName, partitions });
    }
    if (acks === 0) return noResponse;
    return { responses, throttleTimeMs: 0 };
  },
});
