// @confluentinc/kafka-javascript (librdkafka 2.15.1) with security.protocol SASL_SSL and
// SCRAM-SHA-256 / SCRAM-SHA-512 against the BUILT `lanes start`: produces and consumes as a
// user made with `lanes user add`; a wrong password fails to connect. Needs `npm run
// clients:install` (support/confluent.ts) and openssl (certificates made at test time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLanes } from '../support/built_cli.js';
import { logRecords, startBroker, type RunningBroker } from '../support/broker_process.js';
import { makeTestCerts, skipWithoutOpenssl, type TestCerts } from '../support/test_certs.js';
import { confluent, skipWithoutConfluent, type ConfluentKafka } from './support/confluent.js';

const skip = skipWithoutConfluent('the @confluentinc/kafka-javascript SASL_SSL tests') || skipWithoutOpenssl('the @confluentinc/kafka-javascript SASL_SSL tests');
let broker: RunningBroker;
let certs: TestCerts;
let saslPort = 0;

beforeAll(async () => {
  if (skip) return;
  certs = makeTestCerts();
  broker = await startBroker([
    '--storage', 'memory', '--shards', '1', '--dev', '--log-level', 'warn',
    '--listener', 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0', '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile,
  ]);
  const ports = Object.fromEntries([...broker.output().stdout.matchAll(/listening on \S+:(\d+) \(Kafka protocol, listener (\w+), \w+\)/g)].map((match) => [match[2], Number(match[1])]));
  saslPort = ports.SASL_SSL;
  const child = spawnLanes(['user', 'add', 'carol', '--brokers', `127.0.0.1:${ports.PLAINTEXT}`], { env: { ...process.env, LANES_USER_PASSWORD: 'carol-secret' } });
  expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
});

afterAll(async () => {
  await broker?.stop();
  certs?.remove();
});

function client(mechanism: string, password: string): ConfluentKafka {
  return new confluent!.KafkaJS.Kafka({
    'bootstrap.servers': `127.0.0.1:${saslPort}`,
    'security.protocol': 'sasl_ssl',
    'sasl.mechanisms': mechanism,
    'sasl.username': 'carol',
    'sasl.password': password,
    'ssl.ca.location': certs.caFile,
    log_level: 0,
  });
}

describe.skipIf(skip)('@confluentinc/kafka-javascript over SASL_SSL', () => {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    it(`produces and consumes with ${mechanism}`, async () => {
      const kafka = client(mechanism, 'carol-secret');
      const topic = `ckjs-${mechanism.toLowerCase()}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: `over ${mechanism}` }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ 'group.id': `g-${mechanism}`, 'auto.offset.reset': 'earliest' });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      const value = await new Promise<string>((resolve, reject) => {
        consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }).catch(reject);
      });
      await consumer.disconnect();
      expect(value).toBe(`over ${mechanism}`);
    });
  }

  it('a wrong password does not connect', async () => {
    // The admin connects lazily: its first request is what authenticates.
    const admin = client('SCRAM-SHA-256', 'wrong').admin() as ReturnType<ConfluentKafka['admin']> & { listTopics(options?: { timeout?: number }): Promise<string[]> };
    await admin.connect();
    // librdkafka reports its broker connection failing; the broker's log says why.
    await expect(admin.listTopics({ timeout: 10_000 })).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
    expect(logRecords(broker.output().stdout).map((record) => record.msg)).toContain('SASL authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256');
  });
});
