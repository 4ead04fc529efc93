// The wire fuzzer's frames pointed at a SASL listener before authentication: mutated ApiVersions,
// SaslHandshake and SaslAuthenticate frames (bit flips, truncations, length and count lies,
// tagged-field lies, splices, random api keys and versions), some after a valid handshake for
// each mechanism (and an unknown one), so the mutated authentication tokens reach the PLAIN and
// SCRAM code; and requests of other APIs sent before logging in, which must be refused. Then the
// broker must still be running, have logged no error, and serve a kafkajs client that logs in
// with SCRAM. Seeded: the seed is printed, LANES_SEED replays it.
import { randomInt } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { encodeRequestFrame } from '../../core/protocol/codec.js';
import { apiByKey } from '../../core/protocol/messages/registry.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { spawnLanes } from '../support/built_cli.js';
import { logRecords, startBroker, type RunningBroker } from '../support/broker_process.js';
import { Prng } from '../support/prng.js';
import { timeoutMs } from '../support/timeouts.js';
import { FrameFactory, type AdvertisedVersion } from './frames.js';

const seed = process.env.LANES_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.LANES_SEED);
/** Frames sent in all: enough for every mutation kind on every (api, version) many times. */
const framesTarget = 5_000;
const connectionsAtOnce = 4;

let broker: RunningBroker;
let saslPort: number;

function versionsOf(apiKeys: readonly number[]): AdvertisedVersion[] {
  return apiKeys.flatMap((apiKey) => {
    const api = apiByKey.get(apiKey);
    if (api === undefined) throw new Error(`no definition for api ${apiKey}`);
    return Array.from({ length: api.versionMax - api.versionMin + 1 }, (_, index) => ({ apiKey, version: api.versionMin + index, name: api.name }));
  });
}

/** What a client sends before it has logged in: the SASL exchange, and now and then something else. */
const preAuthVersions = versionsOf([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ApiKey.SaslAuthenticate, ApiKey.SaslAuthenticate]);
const otherVersions = versionsOf([ApiKey.Metadata, ApiKey.Produce, ApiKey.CreateTopics]);

/** Writes `frames` on a fresh connection and waits until the broker closes it or stays quiet for a while. */
function session(frames: Uint8Array[]): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(saslPort, '127.0.0.1');
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(quiet);
      socket.destroy();
      resolve();
    };
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(done, 200);
    };
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', rearm);
    socket.on('connect', () => {
      for (const frame of frames) socket.write(frame);
      rearm();
    });
  });
}

function handshake(mechanism: string, correlationId: number): Uint8Array {
  return concatChunks(encodeRequestFrame({ apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId, clientId: 'fuzz' }, { mechanism }));
}

beforeAll(async () => {
  broker = await startBroker(['--storage', 'memory', '--shards', '1', '--dev', '--log-format', 'json', '--listener', 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0']);
  const ports = Object.fromEntries([...broker.output().stdout.matchAll(/listening on \S+:(\d+) \(Kafka protocol, listener (\w+), \w+\)/g)].map((match) => [match[2], Number(match[1])]));
  saslPort = ports.SASL_PLAINTEXT;
  const child = spawnLanes(['user', 'add', 'alice', '--brokers', `127.0.0.1:${ports.PLAINTEXT}`], { env: { ...process.env, LANES_USER_PASSWORD: 'alice-secret' } });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
});

afterAll(async () => {
  await broker?.stop();
});

describe('the wire fuzzer against a SASL listener', () => {
  it(
    `survives mutated SASL frames and requests before login, then serves a SCRAM client (seed ${seed})`,
    async () => {
      console.log(`lanes sasl fuzz: seed ${seed} (LANES_SEED=${seed} replays it)`);
      const prng = new Prng(seed);
      const preAuth = new FrameFactory(prng, preAuthVersions, 0.8);
      const others = new FrameFactory(prng, otherVersions, 0.5);
      const mechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'GSSAPI', ''];
      let sent = 0;
      const worker = async () => {
        while (sent < framesTarget) {
          const frames: Uint8Array[] = [];
          // Half the sessions log in first with a valid handshake, so the fuzzed tokens reach a mechanism.
          if (prng.chance(0.5)) frames.push(handshake(prng.pick(mechanisms), 0x4000_0000 + sent));
          const factory = prng.chance(0.15) ? others : preAuth;
          for (const frame of factory.nextWrite(6)) frames.push(frame.bytes);
          sent += frames.length;
          await session(frames);
        }
      };
      await Promise.all(Array.from({ length: connectionsAtOnce }, worker));

      expect(broker.child.exitCode).toBeNull();
      const errors = logRecords(broker.output().stdout + broker.output().stderr).filter((record) => record.level >= 50);
      expect(errors).toEqual([]);

      const kafka = new Kafka({
        clientId: 'sasl-fuzz-after',
        brokers: [`127.0.0.1:${saslPort}`],
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' },
        logLevel: logLevel.NOTHING,
        retry: { retries: 8, initialRetryTime: 50 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic: 'after-sasl-fuzz', messages: [{ value: 'served' }] });
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      expect((await admin.fetchTopicOffsets('after-sasl-fuzz'))[0].high).toBe('1');
      await admin.disconnect();
    },
    timeoutMs(120_000),
  );
});
