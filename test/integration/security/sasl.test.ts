// SASL on SASL_PLAINTEXT and SASL_SSL listeners: users made with `lanes user add` (over
// AlterUserScramCredentials on the PLAINTEXT listener) and kept salted and hashed in the data
// dir; kafkajs logs in with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 and is served; a wrong
// password is SASL_AUTHENTICATION_FAILED and the connection closes; an unknown mechanism is
// UNSUPPORTED_SASL_MECHANISM with the enabled list; nothing but the handshake is served before
// authentication; a session past --sasl-session-lifetime-ms is closed unless re-authenticated.
// Method: the built CLI (broker and `lanes user`), kafkajs, and a raw client for the frames.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { spawnLanes } from '../../support/built_cli.js';
import { logRecords, startBroker, type RunningBroker } from '../../support/broker_process.js';
import { makeTestCerts, skipWithoutOpenssl, type TestCerts } from '../../support/test_certs.js';
import { RawClient } from '../wire/raw_client.js';

const skip = skipWithoutOpenssl('the SASL tests');
let certs: TestCerts;
let dataDir: string;
let broker: RunningBroker;
let ports: Record<string, number>;

function listenerPorts(run: RunningBroker): Record<string, number> {
  const found: Record<string, number> = {};
  for (const match of run.output().stdout.matchAll(/listening on \S+:(\d+) \(Kafka protocol, listener (\w+), \w+\)/g)) found[match[2]] = Number(match[1]);
  return found;
}

function start(extra: string[] = []): Promise<RunningBroker> {
  return startBroker([
    '--storage', 'disk', '--data-dir', dataDir, '--shards', '1', '--dev', '--log-format', 'json',
    '--listener', 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile, ...extra,
  ]);
}

/** `lanes user …` against the PLAINTEXT listener: exit code and output. */
function lanesUser(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnLanes(['user', ...args, '--brokers', `127.0.0.1:${ports.PLAINTEXT}`], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  if (skip) return;
  certs = makeTestCerts();
  dataDir = mkdtempSync(join(tmpdir(), 'lanes-sasl-'));
  broker = await start();
  ports = listenerPorts(broker);
  const added = await lanesUser(['add', 'alice'], { LANES_USER_PASSWORD: 'alice-secret' });
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  expect((await lanesUser(['add', 'bob', '--password', 'bob-secret', '--mechanism', 'SCRAM-SHA-512'])).code).toBe(0);
});

afterAll(async () => {
  await broker?.stop();
  certs?.remove();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

function kafka(port: number, sasl: SASLOptions, ssl: boolean): Kafka {
  return new Kafka({
    clientId: 'sasl-test',
    brokers: [`127.0.0.1:${port}`],
    sasl,
    ...(ssl ? { ssl: { ca: [readFileSync(certs.caFile, 'utf8')] } } : {}),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });
}

/** Produces one record and reads the topic's end offset through an admin: served end to end. */
async function produceAndList(client: Kafka, topic: string): Promise<string> {
  const producer = client.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value: 'v' }] });
  } finally {
    await producer.disconnect();
  }
  const admin = client.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic))[0].high;
  } finally {
    await admin.disconnect();
  }
}

/** SaslHandshake v1 then SaslAuthenticate (v1) with a PLAIN token, over a raw client. */
async function plainLogin(raw: RawClient, user: string, password: string) {
  const handshake = await raw.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
  expect(handshake.errorCode).toBe(ErrorCode.NONE);
  return raw.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) });
}

const metadataBody = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

describe.skipIf(skip)('SASL', () => {
  it('keeps credentials salted and hashed in the data dir, never the password', () => {
    const saved = readFileSync(join(dataDir, '.lanes', 'scram_credentials.json'), 'utf8');
    expect(saved).not.toContain('alice-secret');
    expect(saved).not.toContain('bob-secret');
    const users = (JSON.parse(saved) as { users: Record<string, Record<string, { iterations: number; storedKey: string }>> }).users;
    expect(Object.keys(users).sort()).toEqual(['alice', 'bob']);
    expect(Object.keys(users.alice).sort()).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(users.alice['SCRAM-SHA-256'].iterations).toBeGreaterThanOrEqual(4096);
  });

  it('lanes user list names the users and their mechanisms', async () => {
    const listed = await lanesUser(['list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 8192 }] },
      { user: 'bob', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }] },
    ]);
  });

  it('kafkajs logs in with PLAIN (SASL_PLAINTEXT), SCRAM-SHA-256 and SCRAM-SHA-512 (SASL_SSL) and is served', async () => {
    expect(await produceAndList(kafka(ports.SASL_PLAINTEXT, { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, false), 'sasl-plain')).toBe('1');
    expect(await produceAndList(kafka(ports.SASL_SSL, { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }, true), 'sasl-scram-256')).toBe('1');
    expect(await produceAndList(kafka(ports.SASL_SSL, { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' }, true), 'sasl-scram-512')).toBe('1');
  });

  it('a wrong password is SASL_AUTHENTICATION_FAILED, for kafkajs with each mechanism', async () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const client = kafka(ports.SASL_SSL, { mechanism, username: 'alice', password: 'wrong' } as SASLOptions, true);
      const producer = client.producer();
      await expect(producer.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    }
  });

  it('over the wire: a wrong password is answered with SASL_AUTHENTICATION_FAILED, then the connection closes', async () => {
    const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
    const answer = await plainLogin(raw, 'alice', 'wrong');
    expect(answer.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(answer.errorMessage).toBe('Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN');
    await raw.closedByServer();
    const unknownUser = await RawClient.connect(ports.SASL_PLAINTEXT);
    expect((await plainLogin(unknownUser, 'mallory', 'x')).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    await unknownUser.closedByServer();
  });

  it('an unknown mechanism is UNSUPPORTED_SASL_MECHANISM with the enabled ones, then the connection closes', async () => {
    const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
    const answer = await raw.request(ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    expect(answer).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    await raw.closedByServer();
  });

  it('serves nothing but ApiVersions and the handshake before authentication', async () => {
    const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
    const versions = await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.map((key) => key.apiKey)).toEqual(expect.arrayContaining([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]));
    raw.write(raw.frame(ApiKey.Metadata, 12, metadataBody).bytes);
    expect(await raw.nextFrame()).toBeNull();
    await vi.waitFor(() => expect(logRecords(broker.output().stdout).some((record) => /before SASL authentication/.test(record.msg))).toBe(true));
  });

  it('before authentication reads no frame over 512 KiB (Kafka sasl.server.max.receive.size); after it, frames up to the usual cap', async () => {
    const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
    const announced = new Uint8Array(4);
    new DataView(announced.buffer).setInt32(0, 512 * 1024 + 1);
    raw.write(announced);
    await raw.closedByServer();
    await vi.waitFor(() => expect(logRecords(broker.output().stdout).some((record) => record.msg === 'closing connection: bad frame size')).toBe(true));
    // Authenticated, a 700 KiB record goes through (under max.message.bytes, over the SASL cap).
    const client = kafka(ports.SASL_PLAINTEXT, { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, false);
    const producer = client.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const [sent] = await producer.send({ topic: 'sasl-large', messages: [{ value: Buffer.alloc(700 * 1024, 7) }] });
      expect(sent.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });

  it('answers arbitrary SASL tokens with SASL_AUTHENTICATION_FAILED and closes, and keeps serving others (seeded)', async () => {
    const token = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 80 }).map((text) => Buffer.from(`n,,n=alice,r=${text}`)),
      fc.string({ maxLength: 80 }).map((text) => Buffer.from(`\u0000alice\u0000${text}`)),
      fc.string({ maxLength: 80 }).map((text) => Buffer.from(`y,a=${text},n=alice,r=x`)),
    );
    const cases = fc.sample(fc.tuple(fc.constantFrom('PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'), token, token), { numRuns: 24, seed: 21 });
    const good = await RawClient.connect(ports.SASL_PLAINTEXT);
    expect((await plainLogin(good, 'alice', 'alice-secret')).errorCode).toBe(ErrorCode.NONE);
    for (const [mechanism, first, second] of cases) {
      const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
      expect((await raw.request(ApiKey.SaslHandshake, 1, { mechanism })).errorCode).toBe(ErrorCode.NONE);
      const answer = await raw.request(ApiKey.SaslAuthenticate, 2, { authBytes: first });
      if (answer.errorCode === ErrorCode.NONE) {
        // A well-formed SCRAM client-first: the server-first came back; the forged final fails.
        expect(mechanism).not.toBe('PLAIN');
        expect((await raw.request(ApiKey.SaslAuthenticate, 2, { authBytes: second })).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      } else expect(answer.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      await raw.closedByServer();
      expect((await good.request(ApiKey.Metadata, 12, metadataBody)).brokers).toHaveLength(1);
    }
    good.close();
  });

  it('on a PLAINTEXT listener the SASL requests are ILLEGAL_SASL_STATE', async () => {
    const raw = await RawClient.connect(ports.PLAINTEXT);
    expect((await raw.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    raw.close();
  });

  it('lanes user delete removes a user: its logins fail from then on', async () => {
    expect((await lanesUser(['add', 'carol', '--password', 'carol-secret'])).code).toBe(0);
    const before = await RawClient.connect(ports.SASL_PLAINTEXT);
    expect((await plainLogin(before, 'carol', 'carol-secret')).errorCode).toBe(ErrorCode.NONE);
    before.close();
    const deleted = await lanesUser(['delete', 'carol']);
    expect(deleted.code).toBe(0);
    const after = await RawClient.connect(ports.SASL_PLAINTEXT);
    expect((await plainLogin(after, 'carol', 'carol-secret')).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    const missing = await lanesUser(['delete', 'carol']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lanes: user delete carol: Attempt to describe a user credential that does not exist: carol\n$/);
  });

  it('credentials survive a restart; a session past --sasl-session-lifetime-ms is closed, and one that re-authenticated is not', async () => {
    await broker.stop();
    const lifetimeMs = 1500;
    broker = await start(['--sasl-session-lifetime-ms', String(lifetimeMs)]);
    ports = listenerPorts(broker);
    const raw = await RawClient.connect(ports.SASL_PLAINTEXT);
    const login = await plainLogin(raw, 'alice', 'alice-secret');
    expect(login).toMatchObject({ errorCode: ErrorCode.NONE, sessionLifetimeMs: lifetimeMs });
    const renewing = await RawClient.connect(ports.SASL_PLAINTEXT);
    expect((await plainLogin(renewing, 'alice', 'alice-secret')).errorCode).toBe(ErrorCode.NONE);
    // Served until the session ends, then closed on the next request.
    await vi.waitFor(
      async () => {
        if (!raw.closed) {
          raw.write(raw.frame(ApiKey.Metadata, 12, metadataBody).bytes);
          await raw.nextFrame();
        }
        expect(raw.closed).toBe(true);
        // Meanwhile the other connection re-authenticates (KIP-368) on the same socket and stays served.
        expect((await plainLogin(renewing, 'alice', 'alice-secret')).errorCode).toBe(ErrorCode.NONE);
      },
      { timeout: 30_000, interval: lifetimeMs / 3 },
    );
    expect((await renewing.request(ApiKey.Metadata, 12, metadataBody)).brokers).toHaveLength(1);
    expect(logRecords(broker.output().stdout).some((record) => /SASL session expired/.test(record.msg))).toBe(true);
    renewing.close();

    // kafkajs re-authenticates before its session ends (its reauthenticationThreshold): a producer
    // keeps sending on one connection across several lifetimes.
    const client = new Kafka({
      clientId: 'sasl-reauth',
      brokers: [`127.0.0.1:${ports.SASL_SSL}`],
      sasl: { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' },
      ssl: { ca: [readFileSync(certs.caFile, 'utf8')] },
      reauthenticationThreshold: lifetimeMs / 2,
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 50 },
    });
    const producer = client.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const startedMs = Date.now();
      let sends = 0;
      while (Date.now() - startedMs < 3 * lifetimeMs || sends < 3) {
        const [sent] = await producer.send({ topic: 'sasl-reauth', messages: [{ value: `m${sends}` }] });
        expect(sent.errorCode).toBe(0);
        sends++;
      }
    } finally {
      await producer.disconnect();
    }
    expect(logRecords(broker.output().stdout).filter((record) => record.clientId === 'sasl-reauth' && /SASL session expired/.test(record.msg))).toEqual([]);
  });
});
