// InitProducerId: what an idempotent producer relies on. Every call without a current id gets a
// fresh id (never one issued before, also across a restart), an epoch bump keeps the id and
// raises the epoch, a stale epoch is fenced with the code its version knows, and a
// transactional id goes to the transaction coordinator.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { initProducerIdHandler, ProducerIdAllocator } from '../../../core/handlers/init_producer_id.js';
import { advertisedApis } from '../../../core/handlers/handler_table.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { TxnFacade } from '../../../core/handlers/handler.js';
import { context } from './fakes.js';

const request = (producerId = -1, producerEpoch = -1, transactionalId: string | null = null) => ({ transactionalId, transactionTimeoutMs: 60_000, producerId, producerEpoch });

async function init(handler: ReturnType<typeof initProducerIdHandler>, apiVersion: number, body = request(), nowMs = 1_000_000) {
  const ctx = context({ apiVersion });
  ctx.nowMs = nowMs;
  const response = await handler.handle(ctx, body);
  if (typeof response === 'symbol') throw new Error('a response');
  return response;
}

describe('InitProducerId', () => {
  it('is advertised from v0 (librdkafka requires 0) to v5, as Kafka 4.x', () => {
    expect(advertisedApis.find((api) => api.apiKey === ApiKey.InitProducerId)).toEqual({ apiKey: ApiKey.InitProducerId, versionMin: 0, versionMax: 5 });
  });

  it('gives each producer a new, increasing id with epoch 0', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator());
    const a = await init(handler, 1);
    const b = await init(handler, 1);
    const c = await init(handler, 4, request(), 1_000_000); // same millisecond
    expect(a).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    expect(b.producerId).toBeGreaterThan(a.producerId);
    expect(c.producerId).toBeGreaterThan(b.producerId);
  });

  it('never reissues an id after a restart (a new allocator) with the clock moving on', async () => {
    const before = new ProducerIdAllocator();
    let last = -1;
    for (let i = 0; i < 2000; i++) last = before.allocate(1_700_000_000_000).producerId;
    const after = new ProducerIdAllocator();
    expect(after.allocate(1_700_000_000_002).producerId).toBeGreaterThan(last);
    expect(Number.isSafeInteger(last)).toBe(true);
  });

  it('v3+: bumps the epoch of the id and epoch it was given, and answers a retried bump alike', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator());
    const first = await init(handler, 4);
    const bumped = await init(handler, 4, request(first.producerId, 0));
    expect(bumped).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
    const retried = await init(handler, 4, request(first.producerId, 0));
    expect(retried).toEqual(bumped);
    const again = await init(handler, 3, request(first.producerId, 1));
    expect(again).toMatchObject({ producerId: first.producerId, producerEpoch: 2 });
  });

  it('fences an older epoch: PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator());
    const first = await init(handler, 4);
    await init(handler, 4, request(first.producerId, 0));
    await init(handler, 4, request(first.producerId, 1));
    expect(await init(handler, 4, request(first.producerId, 0))).toMatchObject({ errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 });
    expect(await init(handler, 3, request(first.producerId, 0))).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('gives a new id for an id it does not know (a previous run, or a placeholder 0)', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator());
    const response = await init(handler, 4, request(0, 0));
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    expect(response.producerId).toBeGreaterThan(0);
  });

  it('hands a transactional id to its transaction coordinator, fenced as its version knows', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator());
    // No coordinator: retriable, the client looks again.
    expect(await init(handler, 1, request(-1, -1, 'txn-1'))).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 });
    const asked: unknown[] = [];
    let answer = { errorCode: ErrorCode.NONE as number, producerId: 77, producerEpoch: 3 };
    const txns = { initTransactionalProducer: async (body: unknown) => (asked.push(body), answer) } as unknown as TxnFacade;
    const withTxns = async (apiVersion: number) => {
      const ctx = context({ apiVersion });
      const response = await handler.handle({ ...ctx, txns }, request(-1, -1, 'txn-1'));
      if (typeof response === 'symbol') throw new Error('a response');
      return response;
    };
    expect(await withTxns(1)).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: 77, producerEpoch: 3 });
    expect(asked).toEqual([{ transactionalId: 'txn-1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }]);
    answer = { errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 };
    expect((await withTxns(3)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await withTxns(4)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(advertisedApis.filter((api) => api.apiKey >= 24 && api.apiKey <= 28).map((api) => api.apiKey)).toEqual([24, 25, 26, 27, 28]);
  });
});
