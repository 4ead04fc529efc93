// KafkaJS's socketFactory over the wire: every connection a client opens goes through it, and a
// factory that cuts its sockets cuts the client off (what the lab does to a killed member).
import { connect, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { Kafka } from '../../../actors/host/index.js';
import { startWireServer } from './support.js';

it('every connection opens through socketFactory, and records flow through its sockets', async () => {
  const { brokers } = await startWireServer();
  const opened: { host: string; port: number; socket: Socket }[] = [];
  const kafka = new Kafka({
    clientId: 'factory',
    brokers,
    socketFactory: ({ host, port, onConnect }) => {
      const socket = connect({ host, port }, onConnect);
      opened.push({ host, port, socket });
      return socket;
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'factory-t', messages: [{ key: 'k', value: 'v' }] });
  await producer.disconnect();
  expect(opened.length).toBeGreaterThan(0);
  const [host, port] = brokers[0].split(':');
  expect(opened.every((entry) => entry.host === host && entry.port === Number(port))).toBe(true);
  expect(opened.reduce((bytes, entry) => bytes + entry.socket.bytesWritten, 0)).toBeGreaterThan(0);
});

it('a factory whose sockets fail, or that throws, fails the request with one line naming the broker', async () => {
  const { brokers } = await startWireServer();
  const refusing = new Kafka({
    clientId: 'refused',
    brokers,
    retry: { retries: 0 },
    socketFactory: ({ host, port }) => {
      const socket = connect({ host, port });
      socket.destroy(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return socket;
    },
  });
  await expect(refusing.admin().listTopics()).rejects.toThrow(new RegExp(`${brokers[0]}.*refused`));
  const throwing = new Kafka({
    clientId: 'throws',
    brokers,
    retry: { retries: 0 },
    socketFactory: () => {
      throw new Error('no sockets for this member');
    },
  });
  await expect(throwing.admin().listTopics()).rejects.toThrow(/no sockets for this member/);
});
