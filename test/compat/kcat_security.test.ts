// kcat (librdkafka) against an SSL listener and a SASL_SSL listener (PLAIN) of the BUILT
// `lanes start`: produces over one, reads back over the other; a wrong password reads nothing.
// Certificates made by openssl at test time. PLAIN rather than SCRAM: Debian's kcat links
// librdkafka 2.0.2, whose SCRAM client-final message repeats the client nonce before the
// combined one (a client bug, fixed in later librdkafka; a broker must refuse that nonce), so
// SCRAM through librdkafka is tested with 2.15.1 in confluent_sasl.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLanes } from '../support/built_cli.js';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { makeTestCerts, skipWithoutOpenssl, type TestCerts } from '../support/test_certs.js';
import { runKcat, skipWithoutKcat } from './support/kcat.js';

const skip = skipWithoutKcat('the kcat TLS and SASL tests') || skipWithoutOpenssl('the kcat TLS and SASL tests');
let broker: RunningBroker;
let certs: TestCerts;
let ports: Record<string, number> = {};

beforeAll(async () => {
  if (skip) return;
  certs = makeTestCerts();
  broker = await startBroker([
    '--storage', 'memory', '--shards', '1', '--dev', '--log-level', 'warn',
    '--listener', 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0', '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile,
  ]);
  ports = Object.fromEntries([...broker.output().stdout.matchAll(/listening on \S+:(\d+) \(Kafka protocol, listener (\w+), \w+\)/g)].map((match) => [match[2], Number(match[1])]));
  const child = spawnLanes(['user', 'add', 'dave', '--mechanism', 'SCRAM-SHA-256', '--brokers', `127.0.0.1:${ports.PLAINTEXT}`], { env: { ...process.env, LANES_USER_PASSWORD: 'dave-secret' } });
  expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
});

afterAll(async () => {
  await broker?.stop();
  certs?.remove();
});

const sasl = (password: string) => ['-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=dave', '-X', `sasl.password=${password}`, '-X', `ssl.ca.location=${certs.caFile}`];

describe.skipIf(skip)('kcat over TLS and SASL', () => {
  it('produces over SSL and consumes over SASL_SSL with PLAIN', async () => {
    const produced = await runKcat(`127.0.0.1:${ports.SSL}`, ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caFile}`, '-t', 'kcat-secure', '-P', '-K:'], 'k1:first\nk2:second\n');
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await runKcat(`127.0.0.1:${ports.SASL_SSL}`, [...sasl('dave-secret'), '-t', 'kcat-secure', '-C', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe('k1=first\nk2=second\n');
  });

  it('a wrong password reads nothing and says authentication failed', async () => {
    const refused = await runKcat(`127.0.0.1:${ports.SASL_SSL}`, [...sasl('wrong'), '-L', '-m', '10']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed|SASL authentication error/i);
  });
});
