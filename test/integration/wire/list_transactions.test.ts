// ListTransactions v2 (KIP-1152) over TCP against a broker with transaction coordinators on shard
// workers: the transactional id pattern is a Java regular expression the whole id must match (null
// or empty lists every id); a malformed pattern is INVALID_REGULAR_EXPRESSION, one Lanes cannot
// match in linear time INVALID_REQUEST, and the connection keeps being served after either.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

let server: TestServer;
let connection: KafkaConnection;
const ids = ['orders-1', 'orders-2', 'orders-10', 'payments-1', 'xorders-1'];

beforeAll(async () => {
  server = await startTestServer();
  connection = await KafkaConnection.connect({ host: server.host, port: server.port, clientId: 'list-transactions' });
  for (const transactionalId of ids) await server.broker.initTransactionalProducer({ transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
});

afterAll(async () => {
  connection?.close();
  await server?.stop();
});

const list = async (transactionalIdPattern: string | null, version = 2) => {
  const response = await connection.send(ApiKey.ListTransactions, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern }, { version });
  return { errorCode: response.errorCode, ids: response.transactionStates.map((txn) => txn.transactionalId).sort() };
};

it('ApiVersions advertises ListTransactions v0–v2', () => {
  expect(connection.brokerVersions(ApiKey.ListTransactions)).toEqual({ min: 0, max: 2 });
});

it('v2 lists the ids the whole pattern matches; null or empty lists every id', async () => {
  expect(await list('orders-\\d+')).toEqual({ errorCode: ErrorCode.NONE, ids: ['orders-1', 'orders-10', 'orders-2'] });
  expect(await list('orders-[0-9]')).toEqual({ errorCode: ErrorCode.NONE, ids: ['orders-1', 'orders-2'] });
  expect(await list('(orders|payments)-1')).toEqual({ errorCode: ErrorCode.NONE, ids: ['orders-1', 'payments-1'] });
  expect(await list('orders')).toEqual({ errorCode: ErrorCode.NONE, ids: [] });
  const all = { errorCode: ErrorCode.NONE, ids: [...ids].sort() };
  expect(await list(null)).toEqual(all);
  expect(await list('')).toEqual(all);
  expect(await list('.*')).toEqual(all);
});

it('v2 refuses a malformed pattern with INVALID_REGULAR_EXPRESSION and one it cannot match safely with INVALID_REQUEST', async () => {
  expect(await list('orders-(')).toEqual({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, ids: [] });
  expect(await list('(a)\\1')).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, ids: [] });
  expect(await list('x'.repeat(300))).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, ids: [] });
  expect(await list('(a{1000}){1000}')).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, ids: [] });
  // A pattern a backtracking engine takes exponential time over: answered, and nothing matches.
  expect(await list('(o|o|or)*(r+)*x')).toEqual({ errorCode: ErrorCode.NONE, ids: [] });
  // The connection is still served, at v1 too (which has no pattern).
  expect((await list(null, 1)).ids).toHaveLength(ids.length);
});
