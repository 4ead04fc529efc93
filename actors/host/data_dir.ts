// Opening a disk broker's data directory, on the main thread before any shard starts: check it
// is a writable directory, take its lock, move an earlier layout's internal logs out of the
// topics' namespace, and after the catalogue is read, make the partition directories agree with
// it. Every problem is a DataDirError with a one-line message naming the path.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.js';
import {
  internalDirName,
  legacyOffsetsLogDirName,
  legacyOffsetsLogPattern,
  offsetsLogDirName,
  parsePartitionDirName,
  partitionDirName,
} from '../data_dir_layout.js';
import { DataDirError } from './data_dir_error.js';
import { DataDirLock } from './data_dir_lock.js';
import type { TopicEntry } from './topic_registry.js';

/** Where partition directories no catalogue lists are moved (see reconcilePartitionDirs). */
const orphanedDirName = join(internalDirName, 'orphaned');

/** Checks and locks `dataDir` (creating it if missing) and migrates an earlier layout. */
export function openDataDir(dataDir: string, logger: Logger): DataDirLock {
  let isDirectory: boolean | null = null;
  try {
    isDirectory = statSync(dataDir).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw DataDirError.from(error, dataDir, 'cannot read');
  }
  if (isDirectory === false) throw new DataDirError(`data dir ${dataDir} is not a directory`);
  try {
    makeDirs(join(dataDir, internalDirName));
  } catch (error) {
    throw DataDirError.from(error, dataDir, 'cannot create');
  }
  // Creating the lock is also the test that the directory is writable.
  const lock = DataDirLock.acquire(dataDir, logger);
  try {
    migrateOffsetsLogs(dataDir, logger);
  } catch (error) {
    lock.release();
    throw error instanceof DataDirError ? error : DataDirError.from(error, dataDir, 'cannot move the offsets logs in');
  }
  return lock;
}

/**
 * mkdir -p one level at a time: a recursive mkdirSync reports a read-only file system as ENOENT,
 * and the message must say what is wrong.
 */
function makeDirs(path: string): void {
  if (existsSync(path)) return;
  const parent = dirname(path);
  if (parent !== path) makeDirs(parent);
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * The previous layout kept each shard's offsets log as <dataDir>/__consumer_offsets-<n>, where
 * a topic of that name would share it. Each is moved (a rename: atomic, nothing copied) to its
 * place in the internal subtree, unless one is there already (then the old one is left alone).
 */
function migrateOffsetsLogs(dataDir: string, logger: Logger): void {
  for (const name of readdirSync(dataDir)) {
    const match = legacyOffsetsLogPattern.exec(name);
    if (match === null) continue;
    const shard = Number(match[1]);
    const from = join(dataDir, legacyOffsetsLogDirName(shard));
    const to = join(dataDir, offsetsLogDirName(shard));
    if (existsSync(to)) {
      logger.warn({ dir: from, kept: to }, 'data dir: an offsets log of the previous layout is left in place; the one in the internal directory is used');
      continue;
    }
    renameSync(from, to);
    logger.warn({ from, to }, 'data dir: moved an offsets log of the previous layout to the internal directory');
  }
}

/**
 * Makes the partition directories agree with the catalogue, so a start never depends on how
 * the last run ended: a directory no topic lists (left by a topic creation that failed or was
 * cut short, or a deletion cut short) is moved to .lanes/orphaned/ with a warning, where a
 * later topic of that name cannot pick up its old records; a listed partition whose directory
 * is missing is reported, and opens empty.
 */
export function reconcilePartitionDirs(dataDir: string, topics: readonly TopicEntry[], logger: Logger): void {
  const listed = new Set<string>();
  for (const topic of topics) for (const placement of topic.partitions) listed.add(partitionDirName(topic.name, placement.partition));
  const present = new Set<string>();
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || parsePartitionDirName(entry.name) === null) continue;
    present.add(entry.name);
    if (listed.has(entry.name) || legacyOffsetsLogPattern.test(entry.name)) continue;
    const to = join(dataDir, orphanedDirName, `${entry.name}.${Date.now()}`);
    mkdirSync(join(dataDir, orphanedDirName), { recursive: true });
    renameSync(join(dataDir, entry.name), to);
    logger.warn({ dir: join(dataDir, entry.name), movedTo: to }, 'data dir: a partition directory no topic lists was moved aside (delete it if not needed)');
  }
  for (const name of listed) {
    if (!present.has(name)) logger.warn({ dir: join(dataDir, name) }, 'data dir: a listed partition has no directory; it opens empty');
  }
}
