// The data dir lock: who holds it, when a lock left behind is stale, and what a refusal says.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataDirLock } from '../../../actors/host/data_dir_lock.js';
import type { Logger } from '../../../actors/logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-lock-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.lanes'));
  return dir;
}

const lockPath = (dir: string) => join(dir, '.lanes', 'lock');
const writeLock = (dir: string, holder: object) => writeFileSync(lockPath(dir), JSON.stringify({ startedAt: '2026-01-01T00:00:00.000Z', token: 'earlier', ...holder }));
const quietLogger = () => ({ warn: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
}

describe('DataDirLock', () => {
  it('is held until released, and refuses a second holder in the same process', () => {
    const dir = dataDir();
    const lock = DataDirLock.acquire(dir, quietLogger());
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => DataDirLock.acquire(dir, quietLogger())).toThrow(`data dir ${dir} is in use by another broker (pid ${process.pid} on ${hostname()}`);
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    DataDirLock.acquire(dir, quietLogger()).release();
  });

  it('takes over, with a warning, a lock whose holder is gone or is this pid in an earlier run (a restarted container)', () => {
    for (const pid of [deadPid(), process.pid]) {
      const dir = dataDir();
      writeLock(dir, { pid, host: hostname() });
      const logger = quietLogger();
      const lock = DataDirLock.acquire(dir, logger);
      expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ stalePid: pid }), expect.stringContaining('taking it over'));
      expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).token).not.toBe('earlier');
      lock.release();
    }
  });

  it('refuses a lock held on another host (its pid cannot be checked) or by a live process', () => {
    const elsewhere = dataDir();
    writeLock(elsewhere, { pid: deadPid(), host: 'some-other-host' });
    expect(() => DataDirLock.acquire(elsewhere, quietLogger())).toThrow(/is in use by another broker \(pid \d+ on some-other-host, since 2026-01-01T00:00:00.000Z\); stop it, or delete .*lock if no broker runs there$/);
    const live = dataDir();
    writeLock(live, { pid: process.ppid, host: hostname() });
    expect(() => DataDirLock.acquire(live, quietLogger())).toThrow(`(pid ${process.ppid} on ${hostname()}`);
    expect(JSON.parse(readFileSync(lockPath(live), 'utf8')).token).toBe('earlier');
  });
});
