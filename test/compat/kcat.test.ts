// kcat (librdkafka 2.0.2 in Debian) against `lanes` over TCP: metadata (-L), produce (-P, with
// keys, headers and gzip) and consume (-C -o beginning -e). librdkafka checks ApiVersions ranges
// to enable message format v2 and its group consumer, so a wrong advertised
// range shows up here as missing or mangled records.
import { describe, expect, it } from 'vitest';
import { kcatWithTestServer } from './support/kcat.js';

const kcat = kcatWithTestServer('the kcat compatibility tests');
const run = kcat.run;

describe.skipIf(!kcat.available)('kcat', () => {
  it('lists metadata with -L', async () => {
    await kcat.server.broker.createTopic('kcat-meta', { partitions: 2 });
    const { code, stdout } = await run(['-L', '-t', 'kcat-meta']);
    expect(code).toBe(0);
    expect(stdout).toContain(`broker 0 at ${kcat.server.address}`);
    expect(stdout).toContain('topic "kcat-meta" with 2 partitions');
    expect(stdout).toContain('partition 1, leader 0, replicas: 0, isrs: 0');
  });

  it('produces with -P (keys, headers, gzip) and reads back with -C -o beginning -e', async () => {
    const produced = await run(['-P', '-t', 'kcat-a', '-K', ':', '-H', 'h1=v1', '-z', 'gzip', '-X', 'linger.ms=0'], 'k1:first\nk2:second\n:third\n');
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await run(['-C', '-t', 'kcat-a', '-o', 'beginning', '-e', '-f', '%k|%s|%h|%o\\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['k1|first|h1=v1|0', 'k2|second|h1=v1|1', '|third|h1=v1|2']);
  });

  it('consumes from the last record with -o -1', async () => {
    await run(['-P', '-t', 'kcat-b'], 'one\ntwo\nthree\n');
    const consumed = await run(['-C', '-t', 'kcat-b', '-o', '-1', '-e', '-f', '%s@%o\\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim()).toBe('three@2');
  });

  it('consumes as a balanced group member with -G', async () => {
    await run(['-P', '-t', 'kcat-g'], 'g1\ng2\n');
    const consumed = await run(['-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%s\\n', 'kcat-g']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['g1', 'g2']);
  });
});
