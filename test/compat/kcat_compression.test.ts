// Compression both ways against librdkafka (kcat, Debian's 2.0.2), with the BUILT `lanes start`
// (shards on worker threads, each with its own codec registry): kcat produces with each of
// Kafka's codecs (`-X compression.codec=…`), the broker validates and stores the batches, kcat
// and `lanes consume` read them back; and `lanes produce --compression …` writes batches with our
// encoders that librdkafka's decoders must read (its LZ4F checks the frame header checksum).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { spawnLanes } from '../support/built_cli.js';
import { kcatBinary, runKcat, skipWithoutKcat } from './support/kcat.js';

skipWithoutKcat('the kcat compression tests');

const codecs = ['zstd', 'lz4', 'snappy', 'gzip'] as const;

let broker: RunningBroker;
let address: string;

beforeAll(async () => {
  if (kcatBinary === null) return;
  broker = await startBroker(['--storage', 'memory', '--shards', '2', '--log-level', 'warn']);
  address = `127.0.0.1:${broker.port}`;
});

afterAll(async () => {
  await broker?.stop();
});

/**
 * Lines that compress (repeated words, as real payloads repeat field names): librdkafka sends a
 * batch uncompressed when compressing would not shrink it, which would test nothing.
 */
function lines(codec: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `key-${i % 7}:${codec} record ${i} ${'payload '.repeat(20)}end`);
}

/** Every record of a topic from the beginning, as `key|value` lines in offset order per partition. */
async function consumeAll(topic: string): Promise<string[]> {
  const consumed = await runKcat(address, ['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p|%o|%k|%s\\n']);
  expect(consumed.code, consumed.stderr).toBe(0);
  return consumed.stdout
    .trim()
    .split('\n')
    .map((line) => line.split('|'))
    .sort(([p1, o1], [p2, o2]) => Number(p1) - Number(p2) || Number(o1) - Number(o2))
    .map(([, , key, value]) => `${key}:${value}`);
}

/** `lanes <args> --brokers <address>` with `input` on stdin: its exit status and output. */
function lanes(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnLanes([...args, '--brokers', address]);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}

describe.skipIf(kcatBinary === null)('compression with kcat', () => {
  for (const codec of codecs) {
    it(`kcat produces with compression.codec=${codec} and reads it back`, async () => {
      const topic = `kcat-${codec}`;
      const sent = lines(codec, 200);
      const produced = await runKcat(address, ['-P', '-t', topic, '-K', ':', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=50'], `${sent.join('\n')}\n`);
      expect(produced.code, produced.stderr).toBe(0);
      // A refused batch (UNSUPPORTED_COMPRESSION_TYPE, as zstd was before) is "Delivery failed"
      // on stderr and exit status 1.
      expect(produced.stderr).not.toMatch(/error|fail/i);
      expect((await consumeAll(topic)).sort()).toEqual([...sent].sort());
      // And `lanes consume` decompresses librdkafka's batches too.
      const read = await lanes(['consume', topic, '--exit-at-end', '--format', '%k:%v']);
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout.trim().split('\n').sort()).toEqual([...sent].sort());
    });

    it(`kcat reads what lanes produce --compression ${codec} wrote`, async () => {
      const topic = `lanes-${codec}`;
      const sent = lines(codec, 200);
      const created = await lanes(['topic', 'create', topic, '--partitions', '3']);
      expect(created.code, created.stderr).toBe(0);
      const produced = await lanes(['produce', topic, '--key-separator', ':', '--compression', codec, '--quiet'], `${sent.join('\n')}\n`);
      expect(produced.code, produced.stderr).toBe(0);
      expect((await consumeAll(topic)).sort()).toEqual([...sent].sort());
    });
  }
});
