// Listeners and TLS (`lanes start --listener NAME://host:port`, --ssl-*): each listener serves
// its own security protocol and Metadata names the listener a client came in on; kafkajs
// produces and consumes over SSL; a plaintext client on the TLS port is served nothing and the
// log says why; client certificates when required; SIGHUP swaps the certificate for new
// connections. Method: the built CLI, certificates made by openssl at test time.
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { logRecords, plainLines, runFailingBroker, startBroker, type RunningBroker } from '../../support/broker_process.js';
import { makeTestCerts, skipWithoutOpenssl, type TestCerts } from '../../support/test_certs.js';
import { RawClient } from '../wire/raw_client.js';

const skip = skipWithoutOpenssl('the TLS listener tests');
let certs: TestCerts;
let broker: RunningBroker | null = null;
const closers: (() => unknown)[] = [];

beforeAll(() => {
  if (!skip) certs = makeTestCerts();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await broker?.stop();
  broker = null;
});
afterAll(() => certs?.remove());

const common = ['--storage', 'memory', '--shards', '1', '--log-format', 'json', '--dev'];

/** The port of each listener, by name, from what `lanes start` printed. */
function ports(run: RunningBroker): Record<string, number> {
  const found: Record<string, number> = {};
  for (const match of run.output().stdout.matchAll(/listening on \S+:(\d+) \(Kafka protocol, listener (\w+), \w+\)/g)) found[match[2]] = Number(match[1]);
  return found;
}

function tlsFlags(extra: string[] = []): string[] {
  return ['--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile, ...extra];
}

const metadataBody = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

/** A RawClient over TLS (the same framing, through a TLS socket). */
async function rawTls(port: number, options: { cert?: string; key?: string } = {}): Promise<{ client: RawClient; socket: TLSSocket }> {
  const socket = tlsConnect({ port, host: '127.0.0.1', ca: readFileSync(certs.caFile), ...(options.cert === undefined ? {} : { cert: readFileSync(options.cert), key: readFileSync(options.key!) }) });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const client = RawClient.fromSocket(socket);
  closers.push(() => client.close());
  return { client, socket };
}

describe.skipIf(skip)('listeners', () => {
  it('serve each its own protocol, and Metadata names the listener the client came in on', async () => {
    broker = await startBroker([...common, '--listener', 'PLAINTEXT://127.0.0.1:0', '--listener', 'SSL://127.0.0.1:0', ...tlsFlags()]);
    const { PLAINTEXT: plain, SSL: ssl } = ports(broker);
    expect(plain).toBeGreaterThan(0);
    expect(ssl).toBeGreaterThan(0);
    const raw = await RawClient.connect(plain);
    closers.push(() => raw.close());
    expect((await raw.request(ApiKey.Metadata, 12, metadataBody)).brokers.map((each) => each.port)).toEqual([plain]);
    const { client } = await rawTls(ssl);
    expect((await client.request(ApiKey.Metadata, 12, metadataBody)).brokers.map((each) => each.port)).toEqual([ssl]);
    const found = await client.request(ApiKey.FindCoordinator, 6, { key: '', keyType: 0, coordinatorKeys: ['g'] });
    expect(found.coordinators[0].port).toBe(ssl);

    // kafkajs follows Metadata: were the plaintext port advertised on the SSL listener, its TLS handshake there would fail.
    const kafka = new Kafka({ clientId: 'tls-test', brokers: [`127.0.0.1:${ssl}`], ssl: { ca: [readFileSync(certs.caFile, 'utf8')] }, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    closers.push(() => producer.disconnect());
    await producer.send({ topic: 'over-tls', messages: [{ key: 'k', value: 'secret' }] });
    const consumer = kafka.consumer({ groupId: 'tls-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'over-tls', fromBeginning: true });
    const value = await new Promise<string>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }).catch(reject);
    });
    expect(value).toBe('secret');
  });

  it('a listener named otherwise takes its protocol from --listener-security-protocol-map, and --advertised-listener names what clients are told', async () => {
    broker = await startBroker([...common, '--listener', 'INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0', '--listener-security-protocol-map', 'INTERNAL:PLAINTEXT,EXTERNAL:SSL', '--advertised-listener', 'EXTERNAL://kafka.example:19093', ...tlsFlags()]);
    expect(broker.output().stdout).toMatch(/listener INTERNAL, PLAINTEXT/);
    expect(broker.output().stdout).toMatch(/listener EXTERNAL, SSL/);
    const { client } = await rawTls(ports(broker).EXTERNAL);
    expect((await client.request(ApiKey.Metadata, 12, metadataBody)).brokers.map((each) => [each.host, each.port])).toEqual([['kafka.example', 19093]]);
  });

  it('/metrics counts the connections of every listener', async () => {
    broker = await startBroker([...common, '--listener', 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', ...tlsFlags(), '--admin-port', '0']);
    const admin = /admin on (http:\/\/\S+) /.exec(broker.output().stdout)![1];
    const { client } = await rawTls(ports(broker).SSL);
    await client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'metrics', clientSoftwareVersion: '1' });
    const text = await (await fetch(`${admin}/metrics`)).text();
    expect(Number(/^lanes_listener_connections (\d+)$/m.exec(text)?.[1])).toBe(1);
  });

  it('refuse to start, in one line naming the flag, on a listener without a protocol or an SSL listener without certificate', async () => {
    const unnamed = await runFailingBroker([...common, '--listener', 'OUTSIDE://127.0.0.1:0']);
    expect(unnamed.code).toBe(1);
    expect(plainLines(unnamed.stderr)).toEqual([expect.stringMatching(/^lanes: --listener OUTSIDE:\/\/127\.0\.0\.1:0: OUTSIDE is not a security protocol .*--listener-security-protocol-map/)]);
    const noCert = await runFailingBroker([...common, '--listener', 'SSL://127.0.0.1:0']);
    expect(noCert.code).toBe(1);
    expect(plainLines(noCert.stderr)).toEqual(['lanes: an SSL or SASL_SSL listener needs --ssl-cert and --ssl-key (PEM files)']);
    const badKey = await runFailingBroker([...common, '--listener', 'SSL://127.0.0.1:0', '--ssl-cert', certs.certFile, '--ssl-key', certs.caFile]);
    expect(badKey.code).toBe(1);
    expect(plainLines(badKey.stderr)).toEqual([expect.stringMatching(/^lanes: --ssl-cert .*: not a usable PEM certificate and key/)]);
  });
});

describe.skipIf(skip)('TLS', () => {
  it('a plaintext client on the TLS port is served nothing, and a warning says it does not speak TLS', async () => {
    broker = await startBroker([...common, '--listener', 'SSL://127.0.0.1:0', ...tlsFlags()]);
    const raw = await RawClient.connect(ports(broker).SSL);
    closers.push(() => raw.close());
    const { bytes } = raw.frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'plain', clientSoftwareVersion: '1' });
    raw.write(bytes);
    expect(await raw.nextFrame()).toBeNull();
    await vi.waitFor(() => {
      const warning = logRecords(broker!.output().stdout).find((record) => record.msg.startsWith('TLS handshake failed'));
      expect(warning?.msg).toMatch(/does not speak TLS \(a plaintext client on an SSL or SASL_SSL listener/);
    });
  });

  it('with --ssl-client-auth required, serves a client with a certificate the CA signed and refuses one without', async () => {
    broker = await startBroker([...common, '--listener', 'SSL://127.0.0.1:0', ...tlsFlags(['--ssl-ca', certs.caFile, '--ssl-client-auth', 'required'])]);
    const port = ports(broker).SSL;
    const { client } = await rawTls(port, { cert: certs.clientCertFile, key: certs.clientKeyFile });
    expect((await client.request(ApiKey.Metadata, 12, metadataBody)).brokers).toHaveLength(1);
    // TLS 1.3: the client learns of the refusal after its handshake, on its first read.
    const refused = await rawTls(port).then(
      async ({ client: anonymous }) => anonymous.request(ApiKey.Metadata, 12, metadataBody).then(() => 'served', () => 'refused'),
      () => 'refused',
    );
    expect(refused).toBe('refused');
  });

  it('SIGHUP: connections made after it get the new certificate', async () => {
    broker = await startBroker([...common, '--listener', 'SSL://127.0.0.1:0', ...tlsFlags()]);
    const port = ports(broker).SSL;
    const before = (await rawTls(port)).socket.getPeerCertificate();
    expect(before.subject.CN).toBe('lanes-test-server');
    certs.rotate('lanes-rotated-server');
    broker.child.kill('SIGHUP');
    await vi.waitFor(() => expect(logRecords(broker!.output().stdout).map((record) => record.msg)).toContain('TLS certificate reloaded'));
    const after = (await rawTls(port)).socket.getPeerCertificate();
    expect(after.subject.CN).toBe('lanes-rotated-server');
    expect(after.serialNumber).not.toBe(before.serialNumber);
  });
});
