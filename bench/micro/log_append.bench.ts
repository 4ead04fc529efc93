// Log append throughput: 1,000-record × 100 B batches and single 100 B records, into memory
// storage and into file storage under each flush policy.
//
//   npx tsx bench/micro/log_append.bench.ts [--seconds 1.5]
//
// Each case appends the same pre-encoded batch repeatedly for about `--seconds` (the log patches
// only baseOffset and the leader epoch; validation — CRC-32C and the record walk — runs every
// time, through the TS kernels). 'always' awaits a flush after every append (one fdatasync each);
// 'always ×16' awaits one flush per 16 appends (group commit, as a shard turn would). Memory cases
// keep retention at 256 MiB so the heap stays bounded; file cases write into a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Log, type FlushPolicy } from '../../core/log/log.js';
import { MemoryStorage } from '../../core/log/memory_storage.js';
import type { Storage } from '../../core/log/storage.js';
import { systemClock } from '../../actors/system_clock.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { FileStorage } from '../../actors/storage/file_storage.js';
import { printMachineFacts } from '../support/machine.js';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1.5;
printMachineFacts('Log append throughput (core/log + memory or file storage)', `npx tsx bench/micro/log_append.bench.ts --seconds ${seconds}`);

function batchOf(records: number): Uint8Array {
  const value = new Uint8Array(100).fill(0x61);
  return encodeRecordBatch(Array.from({ length: records }, () => ({ key: null, value, timestamp: 1_700_000_000_000 })));
}

const shapes = [
  { name: '1,000 × 100 B', records: 1000, batch: batchOf(1000) },
  { name: '1 × 100 B', records: 1, batch: batchOf(1) },
];

interface Case {
  name: string;
  storage: (dir: string) => Storage;
  flush: FlushPolicy;
  /** Appends per awaited flush; 0: never await. */
  appendsPerFlush: number;
}

const quiet = pino({ level: 'silent' });
const cases: Case[] = [
  { name: 'memory', storage: () => new MemoryStorage(), flush: { kind: 'never' }, appendsPerFlush: 0 },
  { name: 'file, never', storage: (dir) => new FileStorage(dir, { logger: quiet }), flush: { kind: 'never' }, appendsPerFlush: 0 },
  { name: 'file, interval 100 ms', storage: (dir) => new FileStorage(dir, { logger: quiet }), flush: { kind: 'interval', intervalMs: 100 }, appendsPerFlush: 0 },
  { name: 'file, always ×16', storage: (dir) => new FileStorage(dir, { logger: quiet }), flush: { kind: 'always' }, appendsPerFlush: 16 },
  { name: 'file, always', storage: (dir) => new FileStorage(dir, { logger: quiet }), flush: { kind: 'always' }, appendsPerFlush: 1 },
];

console.log('');
console.log('| storage, flush | batch | appends/s | records/s | MB/s |');
console.log('|---|---|---:|---:|---:|');
for (const shape of shapes) {
  for (const c of cases) {
    const root = mkdtempSync(join(tmpdir(), 'lanes-bench-'));
    const log = await Log.open(c.storage(join(root, 'bench-0')), {
      clock: systemClock,
      flush: c.flush,
      segmentBytes: 64 * 1024 * 1024,
      retentionBytes: 256 * 1024 * 1024,
      retentionMs: -1,
    });
    const deadline = performance.now() + seconds * 1000;
    const start = performance.now();
    let appends = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < 16; i++) {
        log.append(shape.batch);
        appends++;
        if (c.appendsPerFlush > 0 && appends % c.appendsPerFlush === 0) await log.flush();
      }
      if ((appends & 1023) === 0) {
        log.enforceRetention(Date.now());
        const due = log.flushDue(Date.now());
        if (due !== null) await due;
      }
    }
    await log.flush();
    const elapsed = (performance.now() - start) / 1000;
    await log.close();
    rmSync(root, { recursive: true, force: true });
    const perSecond = appends / elapsed;
    const mb = (perSecond * shape.batch.length) / 1e6;
    console.log(`| ${c.name} | ${shape.name} | ${Math.round(perSecond).toLocaleString('en-US')} | ${Math.round(perSecond * shape.records).toLocaleString('en-US')} | ${mb.toFixed(1)} |`);
  }
}
