// Recovery time of a file-storage log after a crash.
//
//   npx tsx bench/recovery.bench.ts [--gib 1] [--segment-mib 64] [--threads N]
//
// Builds ~`--gib` GiB of segments (1,000-record × 100 B batches) in a temp directory, closes the
// log cleanly, then times three opens:
//   clean        index files of sealed segments present: only each segment's tail is scanned
//   crash        the active segment's index removed and a torn batch appended (what kill -9 leaves)
//   no indexes   every index file removed: every segment is scanned in full (read + CRC-32C of every
//                batch) on the recovery pool
// Progress of pool scans is shown on stderr.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Log } from '../core/log/log.js';
import { systemClock } from '../actors/system_clock.js';
import { encodeRecordBatch } from '../core/records/batch_builder.js';
import { FileStorage, type RecoveryProgress } from '../actors/storage/file_storage.js';
import { printMachineFacts } from './support/machine.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const gib = option('gib', 1);
const segmentMiB = option('segment-mib', 64);
const threads = option('threads', 0);
printMachineFacts('Log recovery after a crash (actors/storage/file_storage.ts)', `npx tsx bench/recovery.bench.ts --gib ${gib} --segment-mib ${segmentMiB}${threads > 0 ? ` --threads ${threads}` : ''}`);

const quiet = pino({ level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'lanes-recovery-'));
const dir = join(root, 'bench-0');
const config = { clock: systemClock, segmentBytes: segmentMiB * 1024 * 1024, flush: { kind: 'never' as const } };

try {
  const value = new Uint8Array(100).fill(0x62);
  const batch = encodeRecordBatch(Array.from({ length: 1000 }, () => ({ key: null, value, timestamp: 1_700_000_000_000 })));
  const targetBytes = gib * 1024 ** 3;
  const buildStart = performance.now();
  const log = await Log.open(new FileStorage(dir, { logger: quiet }), config);
  while (log.sizeBytes < targetBytes) log.append(batch);
  await log.close();
  const totalBytes = log.sizeBytes;
  console.log(`# built ${(totalBytes / 1024 ** 3).toFixed(2)} GiB in ${log.segmentCount} segments (${log.highWatermark.toLocaleString('en-US')} records) in ${((performance.now() - buildStart) / 1000).toFixed(1)} s`);

  const progress = (label: string) => {
    const perSegment = new Map<number, RecoveryProgress>();
    return (p: RecoveryProgress) => {
      perSegment.set(p.segmentBaseOffset, p);
      let scanned = 0;
      let total = 0;
      for (const each of perSegment.values()) {
        scanned += each.scannedBytes;
        total += each.totalBytes;
      }
      process.stderr.write(`\r  ${label}: ${(scanned / 1024 ** 2).toFixed(0)} / ${(total / 1024 ** 2).toFixed(0)} MiB reported by ${perSegment.size} segment scans   `);
    };
  };

  async function timeOpen(label: string): Promise<void> {
    const start = performance.now();
    const opened = await Log.open(new FileStorage(dir, { logger: quiet, onRecoveryProgress: progress(label), recoveryThreads: threads > 0 ? threads : undefined }), config);
    const seconds = (performance.now() - start) / 1000;
    process.stderr.write('\n');
    console.log(`| ${label} | ${seconds.toFixed(2)} s | ${(totalBytes / 1024 ** 2 / seconds).toFixed(0)} MiB/s of log | HW ${opened.highWatermark.toLocaleString('en-US')} |`);
    await opened.close();
  }

  console.log('');
  console.log('| open after | time | rate | result |');
  console.log('|---|---:|---:|---|');
  await timeOpen('clean close');
  const logs = readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
  rmSync(join(dir, logs.at(-1)!.replace('.log', '.index')), { force: true });
  appendFileSync(join(dir, logs.at(-1)!), batch.subarray(0, 5000));
  await timeOpen('crash (torn tail)');
  for (const name of readdirSync(dir)) if (name.endsWith('.index')) rmSync(join(dir, name));
  await timeOpen('no index files');
} finally {
  rmSync(root, { recursive: true, force: true });
}
