// The instrumentation suite over the Kafka protocol, and what only a network has: a request that
// times out reports REQUEST_TIMEOUT (KafkaJS's payload), here against a listener that never answers.
import { createServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Kafka } from '../../../actors/host/index.js';
import { until } from './support.js';
import { instrumentationSuite } from './suites/instrumentation.js';

instrumentationSuite('wire');

/** KafkaJS 2.2.4's REQUEST_TIMEOUT payload (network/requestQueue/socketRequest.js, timeoutRequest()). */
const requestTimeoutFields = ['apiKey', 'apiName', 'apiVersion', 'broker', 'clientId', 'correlationId', 'createdAt', 'pendingDuration', 'sentAt'];

const sockets: Socket[] = [];
const silent = createServer((socket) => void sockets.push(socket));
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

it('a request left unanswered past requestTimeout reports REQUEST_TIMEOUT with KafkaJS’s fields', async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('the listener has no port');
  const admin = new Kafka({ clientId: 'patient', brokers: [`127.0.0.1:${address.port}`], requestTimeout: 300 }).admin();
  const timeouts: Record<string, unknown>[] = [];
  admin.on<Record<string, unknown>>(admin.events.REQUEST_TIMEOUT, (event) => void timeouts.push(event.payload));
  await expect(admin.listTopics()).rejects.toThrow(/no answer to ApiVersions/);
  await until('REQUEST_TIMEOUT', () => timeouts.length > 0);
  expect(Object.keys(timeouts[0]).sort()).toEqual(requestTimeoutFields);
  expect(timeouts[0]).toMatchObject({ apiName: 'ApiVersions', apiKey: 18, clientId: 'patient', broker: `127.0.0.1:${address.port}` });
  await admin.disconnect();
});
