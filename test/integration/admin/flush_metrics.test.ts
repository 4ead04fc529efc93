// Flush latency on /metrics: a disk broker with flush 'always' times every fsync of its logs on
// the shard threads, and the admin port publishes them as the histogram family
// lanes_log_flush_duration_seconds — valid Prometheus text (cumulative buckets ending in +Inf =
// _count), one series per shard, with flushes counted once records were produced.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import { Broker } from '../../../actors/host/broker.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { parsePrometheusText, sampleValue } from './prometheus_text.js';

let dataDir: string;
let broker: Broker;
let admin: AdminServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lanes-flush-metrics-'));
  broker = await Broker.start({ storage: 'disk', dataDir, shards: 2, flush: 'always' });
  admin = await new AdminServer({ broker, pollIntervalMs: 200 }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await admin?.stop();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function scrape() {
  const response = await fetch(`${admin.url}/metrics`);
  expect(response.status).toBe(200);
  const body = await response.text();
  return { body, samples: parsePrometheusText(body) };
}

describe('lanes_log_flush_duration_seconds', () => {
  it('counts the fsyncs of acks=-1 produces on disk, as a Prometheus histogram per shard', async () => {
    await broker.createTopic('orders', { partitions: 4 });
    const before = await scrape();
    expect(before.body).toContain('# TYPE lanes_log_flush_duration_seconds histogram');

    for (let round = 0; round < 5; round++) {
      for (let partition = 0; partition < 4; partition++) {
        const batch = encodeRecordBatch([{ key: null, value: new TextEncoder().encode(`r${round}`) }], { baseTimestamp: 1 });
        const result = await broker.produce('orders', partition, batch, { acks: -1 });
        expect(result.baseOffset).toBe(round);
      }
    }

    const { samples } = await scrape();
    let flushes = 0;
    for (const shard of ['0', '1']) {
      const count = sampleValue(samples, 'lanes_log_flush_duration_seconds_count', { shard });
      expect(count, `flushes of shard ${shard}`).toBeGreaterThan(0);
      expect(sampleValue(samples, 'lanes_log_flush_duration_seconds_bucket', { shard, le: '+Inf' })).toBe(count);
      expect(sampleValue(samples, 'lanes_log_flush_duration_seconds_sum', { shard })).toBeGreaterThan(0);
      flushes += count!;
    }
    // Each acknowledged produce waited for a flush of its partition's log: at least one each.
    const flushesBefore = ['0', '1'].reduce((sum, shard) => sum + (sampleValue(before.samples, 'lanes_log_flush_duration_seconds_count', { shard }) ?? 0), 0);
    expect(flushes - flushesBefore).toBeGreaterThanOrEqual(20);
    // Counts only grow between scrapes, as counters must.
    const again = await scrape();
    expect(sampleValue(again.samples, 'lanes_log_flush_duration_seconds_count', { shard: '0' })).toBeGreaterThanOrEqual(
      sampleValue(samples, 'lanes_log_flush_duration_seconds_count', { shard: '0' })!,
    );
  });
});
