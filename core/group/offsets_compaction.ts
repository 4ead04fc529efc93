// Compaction of a shard's internal offsets log (Kafka's log cleaner for __consumer_offsets), the
// pure part: which records survive, and when compaction is worth its cost. The group actor does
// the segment work (actors/shard/group_actor.ts):
//
//   roll → append compactGroupRecords(everything from the log start) → flush
//        → deleteRecordsBefore(first snapshot offset)
//
// Why replay(compact(records)) == replay(records): GroupCoordinator.replay folds records key by
// key, the latest record of a key wins (an OffsetCommit sets or clears one partition's offset; a
// GroupMetadata sets or clears a group's metadata and keeps its offsets). So only each key's
// latest record matters, and a key whose latest record is a tombstone is the same as a key with
// no record at all.
//
// Why a crash at any point leaves a log that replays to the same state: until the log start
// offset moves, the log is the old records followed by a prefix of the snapshot; each snapshot
// record is its key's latest value, so replaying it again changes nothing (per-key folding), and
// a dropped tombstone's key has its tombstone still in the old records, after any value. After
// the log start moves, only the snapshot and what followed it is read. Old segments are deleted
// oldest first, so the segments left in between are a contiguous tail of the old records, which
// holds every tombstone later than a value it holds. Kafka keeps tombstones for
// delete.retention.ms because followers and consumers read the log incrementally; our only
// reader replays from the log start, so a tombstone is dropped the first time it is compacted.

import { assert } from '../assert.js';

export interface KeyedRecord {
  readonly key: Uint8Array;
  /** null is a tombstone. */
  readonly value: Uint8Array | null;
}

/**
 * The latest record of each key, in the order those latest records were written, without
 * tombstones. Keys compare by their bytes (group-record keys are a canonical encoding).
 */
export function compactGroupRecords(records: Iterable<KeyedRecord>): KeyedRecord[] {
  const latest = new Map<string, KeyedRecord>();
  for (const record of records) {
    const identity = keyIdentity(record.key);
    // Delete first so the Map's insertion order is the order of each key's latest write.
    latest.delete(identity);
    latest.set(identity, record);
  }
  const kept: KeyedRecord[] = [];
  for (const record of latest.values()) if (record.value !== null) kept.push(record);
  return kept;
}

function keyIdentity(key: Uint8Array): string {
  let identity = '';
  for (let index = 0; index < key.length; index++) identity += String.fromCharCode(key[index]);
  return identity;
}

/** Splits records into runs of at most `batchBytesMax` key+value bytes (at least one record each). */
export function snapshotChunks(records: readonly KeyedRecord[], batchBytesMax: number): KeyedRecord[][] {
  assert(batchBytesMax > 0, `batchBytesMax must be positive, got ${batchBytesMax}`);
  const chunks: KeyedRecord[][] = [];
  let chunk: KeyedRecord[] = [];
  let chunkBytes = 0;
  for (const record of records) {
    const bytes = record.key.length + (record.value?.length ?? 0);
    if (chunk.length > 0 && chunkBytes + bytes > batchBytesMax) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(record);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Whether to compact now. `dirtyBytes` were appended since the last snapshot, which took
 * `snapshotBytes`. Waiting until the dirty part is at least as large as the snapshot (and at
 * least `dirtyBytesMin`) keeps the rewriting amortized: each compaction rewrites no more than
 * the bytes appended since the previous one, plus their own size (Kafka's cleanable ratio of 0.5).
 */
export function compactionDue(dirtyBytes: number, snapshotBytes: number, dirtyBytesMin: number): boolean {
  assert(dirtyBytes >= 0 && snapshotBytes >= 0, `negative log sizes: dirty ${dirtyBytes}, snapshot ${snapshotBytes}`);
  return dirtyBytes >= dirtyBytesMin && dirtyBytes >= snapshotBytes;
}
