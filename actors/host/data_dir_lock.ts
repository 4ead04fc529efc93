// The exclusive lock on a data directory: two brokers on one directory would both append to the
// same segments and both acknowledge the same offsets, and a restart would keep only one of
// them. The lock is a file created with O_EXCL holding the holder's pid, host and start time;
// it is removed on stop. A broker that died without stopping leaves it behind: a lock whose
// holder is on this host and no longer alive is stale, and is taken over with a warning.
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { lockFileName } from '../data_dir_layout.js';
import { DataDirError } from './data_dir_error.js';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Tells two brokers of one process apart. */
  token: string;
}

export class DataDirLock {
  readonly path: string;
  readonly #holder: LockHolder;
  #released = false;

  private constructor(path: string, holder: LockHolder) {
    this.path = path;
    this.#holder = holder;
  }

  /** Takes the lock on `dataDir` (whose internal subtree exists) or throws a DataDirError naming the holder. */
  static acquire(dataDir: string, logger: Logger): DataDirLock {
    const path = join(dataDir, lockFileName);
    const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(6).toString('hex') };
    // Two tries: the second after taking over a stale lock.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (create(path, holder, dataDir)) {
        heldHere.add(holder.token);
        return new DataDirLock(path, holder);
      }
      const found = readHolder(path);
      if (found === 'missing') continue;
      if (found !== 'unreadable' && (found.host !== holder.host || holds(found))) {
        throw new DataDirError(
          `data dir ${dataDir} is in use by another broker (pid ${found.pid} on ${found.host}, since ${found.startedAt}); ` +
            `stop it, or delete ${path} if no broker runs there`,
        );
      }
      if (found === 'unreadable' && attempt > 0) break;
      takeOver(path, found, dataDir, logger);
    }
    throw new DataDirError(`data dir ${dataDir}: could not take the lock ${path} (another broker is starting on it?)`);
  }

  /** Removes the lock file if it is still this broker's. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldHere.delete(this.#holder.token);
    const found = readHolder(this.path);
    if (found === 'missing' || found === 'unreadable' || found.token !== this.#holder.token) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Gone already, or the directory went read-only: the next start finds a stale lock.
    }
  }
}

/**
 * Creates the lock file, whole, or returns false if one exists: the holder is written to a
 * private file (O_EXCL) and linked to the lock's name, which like O_EXCL fails if the name
 * exists, so no broker ever reads a lock that is still empty.
 */
function create(path: string, holder: LockHolder, dataDir: string): boolean {
  const draft = `${path}.${holder.pid}-${holder.token}.tmp`;
  try {
    writeFileSync(draft, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  } catch (error) {
    throw DataDirError.from(error, dataDir, 'cannot create the lock file');
  }
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw DataDirError.from(error, dataDir, 'cannot create the lock file');
  } finally {
    rmSync(draft, { force: true });
  }
}

function readHolder(path: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(parsed.pid) && typeof parsed.host === 'string' && typeof parsed.startedAt === 'string' && typeof parsed.token === 'string') return parsed as LockHolder;
  } catch {
    // Not a lock this code wrote: treated as stale below.
  }
  return 'unreadable';
}

/** Tokens of the locks this process holds: a lock naming this pid and another token is stale. */
const heldHere = new Set<string>();

/**
 * Whether the process a lock names still holds it. Pids are reused: in a container the broker
 * has the same pid every time it restarts, so a lock with this process's pid and a token it did
 * not write is a previous run's. Another live process with the holder's pid is taken to be the
 * holder (refusing to start is the safe mistake; the message says which file to delete).
 */
function holds(holder: LockHolder): boolean {
  if (holder.pid === process.pid) return heldHere.has(holder.token);
  return alive(holder.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has this pid; it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a stale lock aside. By rename, so that of two brokers taking over the same stale lock
 * at once, one moves it; the other finds the first one's fresh lock or nothing. If what was
 * moved is not the stale lock that was judged (another broker took over in between), it is put
 * back with link(), which never replaces a file.
 */
function takeOver(path: string, judged: LockHolder | 'unreadable', dataDir: string, logger: Logger): void {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw DataDirError.from(error, dataDir, 'cannot take over the stale lock');
  }
  const moved = readHolder(aside);
  const same = judged === 'unreadable' ? moved === 'unreadable' : moved !== 'missing' && moved !== 'unreadable' && moved.token === judged.token;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone created a lock meanwhile: theirs stands.
    }
  } else {
    logger.warn(judged === 'unreadable' ? { lock: path } : { lock: path, stalePid: judged.pid, staleSince: judged.startedAt }, 'data dir lock: its holder is gone (a broker that did not stop); taking it over');
  }
  unlinkSync(aside);
}
