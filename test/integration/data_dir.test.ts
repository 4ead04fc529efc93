// What a careless operator can do to a disk broker's data directory, tried against the built
// `lanes start` (and the embedded API where it applies): start a second broker on it, point it
// at a file or a read-only mount, kill -9 a broker and start again, and open a data directory
// written by the previous layout. Each must fail with one clear line or just work; none may
// corrupt the data or leave the directory unstartable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lanes } from '../../actors/host/index.js';
import { logRecords, plainLines, runFailingBroker, startBroker } from '../support/broker_process.js';

const root = mkdtempSync(join(tmpdir(), 'lanes-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

describe('the data dir lock', () => {
  it('refuses a second broker on the same data dir with one line naming the holder, and frees the dir on stop', async () => {
    const dataDir = freshDir();
    const first = await startBroker(['--data-dir', dataDir, '--shards', '1']);
    const second = await runFailingBroker(['--data-dir', dataDir, '--shards', '1']);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(plainLines(second.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^lanes: data dir ${dataDir} is in use by another broker \\(pid ${first.child.pid} on `)),
    ]);
    expect((await first.stop()).code).toBe(0);
    expect(existsSync(join(dataDir, '.lanes', 'lock'))).toBe(false);
    const third = await startBroker(['--data-dir', dataDir, '--shards', '1']);
    expect(await third.stop()).toMatchObject({ code: 0 });
  });

  it('takes over the lock of a broker killed with -9, with a warning', async () => {
    const dataDir = freshDir();
    const killed = await startBroker(['--data-dir', dataDir, '--shards', '1']);
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(existsSync(join(dataDir, '.lanes', 'lock'))).toBe(true);
    const next = await startBroker(['--data-dir', dataDir, '--shards', '1']);
    const run = await next.stop();
    expect(run.code).toBe(0);
    expect(logRecords(run.stdout + run.stderr)).toContainEqual(expect.objectContaining({ level: 40, stalePid: killed.child.pid, msg: expect.stringContaining('taking it over') }));
  });

  it('refuses a second embedded broker on the same data dir with a clear error', async () => {
    const dataDir = freshDir();
    const first = await Lanes.start({ storage: 'disk', dataDir, shards: 1 });
    try {
      await expect(Lanes.start({ storage: 'disk', dataDir, shards: 1 })).rejects.toThrow(
        new RegExp(`^data dir ${dataDir} is in use by another broker \\(pid ${process.pid} on `),
      );
    } finally {
      await first.stop();
    }
    const again = await Lanes.start({ storage: 'disk', dataDir, shards: 1 });
    await again.stop();
  });
});

describe('a data dir the broker cannot use', () => {
  it('is a file: one line saying so, exit 1', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    const run = await runFailingBroker(['--data-dir', file, '--shards', '1']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(plainLines(run.stderr)).toEqual([`lanes: data dir ${file} is not a directory`]);
    const below = join(file, 'sub');
    const nested = await runFailingBroker(['--data-dir', below, '--shards', '1']);
    expect(nested).toMatchObject({ code: 1, stdout: '' });
    expect(plainLines(nested.stderr)).toEqual([expect.stringMatching(new RegExp(`^lanes: data dir ${below}: .*not a directory$`))]);
  });

  it('is on a read-only file system: one line saying so, exit 1', async (context) => {
    // chmod does not stop root: a read-only tmpfs does. Mounting needs privileges.
    const mountPoint = join(root, 'read-only');
    mkdirSync(mountPoint);
    // As root, or through passwordless sudo (CI runners).
    const run = (sudo: boolean, args: string[]) => execFileSync(sudo ? 'sudo' : args[0], sudo ? ['-n', ...args] : args.slice(1), { stdio: 'ignore' });
    let sudo: boolean | undefined;
    for (const candidate of [false, true]) {
      try {
        run(candidate, ['mount', '-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mountPoint]);
        sudo = candidate;
        break;
      } catch {
        // Not permitted this way.
      }
    }
    if (sudo === undefined) {
      if (process.env.CI !== undefined) throw new Error('CI must be able to mount a read-only tmpfs for this test');
      console.warn('data_dir.test.ts: cannot mount a read-only tmpfs here (not root, no sudo); skipping the read-only data dir test');
      context.skip();
      return;
    }
    const withSudo = sudo;
    try {
      for (const dataDir of [mountPoint, join(mountPoint, 'sub')]) {
        const run = await runFailingBroker(['--data-dir', dataDir, '--shards', '1']);
        expect(run).toMatchObject({ code: 1, stdout: '' });
        expect(plainLines(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^lanes: data dir ${dataDir}: cannot create .*: the file system is read-only$`))]);
      }
    } finally {
      run(withSudo, ['umount', mountPoint]);
    }
  });
});

describe('--log-level', () => {
  it('applies to every thread: at warn, no component logs an info line', async () => {
    const dataDir = freshDir();
    // The shards' group coordinators log at info when they load; two shards, two chances.
    const broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--log-level', 'warn']);
    const run = await broker.stop();
    expect(run.code).toBe(0);
    expect(logRecords(run.stdout + run.stderr).filter((record) => record.level < 40)).toEqual([]);
    // The same start at info does log them, from the main thread and from each shard.
    const chatty = await (await startBroker(['--data-dir', dataDir, '--shards', '2', '--log-level', 'info'])).stop();
    const components = new Set(logRecords(chatty.stdout).filter((record) => record.level === 30).map((record) => record.msg));
    expect(components).toContain('group coordinator loaded');
    expect(components).toContain('broker started');
  });
});

describe('the internal offsets logs', () => {
  it('live where no topic name reaches, and a data dir of the previous layout still opens with its offsets', async () => {
    const dataDir = freshDir();
    const commit = async (offset: string) => {
      const lanes = await Lanes.start({ storage: 'disk', dataDir, shards: 1 });
      try {
        const admin = lanes.kafka().admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
        await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset }] });
        await admin.disconnect();
      } finally {
        await lanes.stop();
      }
    };
    const committed = async () => {
      const lanes = await Lanes.start({ storage: 'disk', dataDir, shards: 1 });
      try {
        const admin = lanes.kafka().admin();
        await admin.connect();
        const [orders] = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
        await admin.disconnect();
        return orders.partitions[0].offset;
      } finally {
        await lanes.stop();
      }
    };
    await commit('5');
    expect(readdirSync(dataDir).filter((name) => name.includes('consumer_offsets'))).toEqual([]);
    expect(readdirSync(join(dataDir, '.lanes'))).toContain('consumer_offsets-0');
    // The previous layout: the offsets log beside the partitions, as __consumer_offsets-0.
    renameSync(join(dataDir, '.lanes', 'consumer_offsets-0'), join(dataDir, '__consumer_offsets-0'));
    rmSync(join(dataDir, '.lanes'), { recursive: true });
    expect(await committed()).toBe('5');
    expect(readdirSync(dataDir).sort()).toEqual(['.lanes', 'orders-0', 'topics.json']);
  });

  it('cannot be reached through a topic named __consumer_offsets: names starting with "__" are refused', async () => {
    const dataDir = freshDir();
    const lanes = await Lanes.start({ storage: 'disk', dataDir, shards: 1 });
    try {
      await expect(lanes.broker.createTopic('__consumer_offsets')).rejects.toThrow('INVALID_TOPIC_EXCEPTION: topic name "__consumer_offsets" is reserved: names starting with "__" are for internal topics');
      expect(existsSync(join(dataDir, '__consumer_offsets-0'))).toBe(false);
    } finally {
      await lanes.stop();
    }
  });
});
