// Crash safety of the file-storage log: a child process appends random batches with flush
// 'always' and prints each batch only after the flush covering it resolved; the test kills it
// with SIGKILL at random moments, 12 times on the same directory (tearing the tail as a power loss
// would on some cycles), and after every kill reopens the
// log and checks that (1) every acknowledged batch is there byte for byte (with the baseOffset and
// partitionLeaderEpoch the log wrote), and (2) reading the whole log returns only whole batches
// with valid CRCs and contiguous offsets. Seeded: LANES_SEED=<n> replays a run's choices.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Log } from '../../core/log/log.js';
import { FileStorage } from '../../actors/storage/file_storage.js';
import { crc32c } from '../../core/records/crc32c.js';
import { readBatchHeader } from '../../core/records/record_batch.js';
import { asStored, FakeClock, seededBatch } from '../unit/log/log_support.js';
import { spawnBuiltFixture } from '../support/built_cli.js';
import { Prng, seedForRun } from '../support/prng.js';

const fixture = fileURLToPath(new URL('./fixtures/log_writer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'lanes-crash-'));
const dir = join(root, 'topic-0');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const seed = seedForRun('log crash test');
const prng = new Prng(seed);
/** An integer in [0, limit). */
const random = (limit: number): number => prng.int(0, limit - 1);

interface Ack {
  baseOffset: number;
  seed: number;
  recordCount: number;
  valueBytes: number;
}

/** Runs the writer until it acknowledged `acksWanted` batches (plus what the pipe holds), then SIGKILLs it. */
function runAndKill(childSeed: number, acksWanted: number, extraDelayMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawnBuiltFixture(fixture, [dir, String(childSeed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let pending = '';
    let stderr = '';
    let killing = false;
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, ...fields] = line.split(' ');
        if (kind !== 'ack') continue;
        const [baseOffset, batchSeed, recordCount, valueBytes] = fields.map(Number);
        acks.push({ baseOffset, seed: batchSeed, recordCount, valueBytes });
      }
      if (!killing && acks.length >= acksWanted) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolve(acks);
    });
  });
}

function tearTail(): void {
  const last = readdirSync(dir).filter((name) => name.endsWith('.log')).sort().at(-1);
  if (last === undefined) return;
  const torn = seededBatch(random(1000) + 1, 1 + random(5), random(200));
  appendFileSync(join(dir, last), torn.subarray(0, 1 + random(torn.length - 1)));
}

describe('file-storage log under kill -9', () => {
  it('keeps every acknowledged batch and never returns a torn one', async () => {
    const acknowledged = new Map<number, Ack>();
    // 12 kills cover both sides of each choice below several times (torn tail or not, clean close
    // or not, killed at once or after a delay) in about 15 s of work; most of it is starting the
    // child, so more kills buy little.
    const cycles = 12;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const acks = await runAndKill(random(1 << 30) + 1, 1 + random(60), random(3) === 0 ? 0 : random(15));
      for (const ack of acks) acknowledged.set(ack.baseOffset, ack);
      // kill -9 keeps the page cache, so a write the kernel took is whole. Power loss is harsher:
      // on some cycles, leave a torn write after the last batch as it would (a prefix of a batch
      // with the next offsets), so recovery's truncation is exercised and checked too.
      if (random(2) === 0) tearTail();

      const log = await Log.open(new FileStorage(dir, { logger: pino({ level: 'silent' }) }), { clock: new FakeClock(), segmentBytes: 48 * 1024, maxBatchBytes: 16 * 1024, indexIntervalBytes: 1024 });
      for (const ack of acknowledged.values()) {
        const expected = asStored(seededBatch(ack.seed, ack.recordCount, ack.valueBytes), ack.baseOffset);
        const read = log.read(ack.baseOffset, 1).batches[0];
        expect(read, `cycle ${cycle}: acknowledged batch at ${ack.baseOffset}`).toEqual(expected);
      }
      // Everything readable is whole, checksummed, and contiguous from the log start.
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const { batches } = log.read(offset, 256 * 1024);
        expect(batches.length).toBeGreaterThan(0);
        for (const batch of batches) {
          const header = readBatchHeader(batch);
          const whole = header.baseOffset === offset && 12 + header.batchLength === batch.length && crc32c(batch, 21, batch.length) === header.crc;
          if (!whole) expect.fail(`cycle ${cycle}: torn or misplaced batch at offset ${offset}: ${JSON.stringify(header)}, ${batch.length} bytes`);
          offset = header.baseOffset + header.lastOffsetDelta + 1;
        }
      }
      expect(offset).toBe(log.highWatermark);
      // Half the cycles close cleanly (index files written), half leave the files as a crash would.
      if (cycle % 2 === 0) await log.close();
      else await new FileStorage(dir).close().catch(() => {});
    }
    expect(acknowledged.size).toBeGreaterThan(cycles);
  });
});
