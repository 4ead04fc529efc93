// kcat (librdkafka 2.0.2) with `-X enable.idempotence=true` against `lanes` over TCP. librdkafka
// turns idempotence on only when the broker advertises InitProducerId including v0;
// it then asks for a producer id and stamps every batch with it and a sequence. The test
// checks the records arrive once each, in order, and that the stored batches carry the producer
// id, so a broker that silently ignored idempotence would fail it.
import { describe, expect, it } from 'vitest';
import { readBatchHeader } from '../../core/records/record_batch.js';
import { kcatWithTestServer } from './support/kcat.js';
import { timeoutMs } from '../support/timeouts.js';

const kcat = kcatWithTestServer('the kcat idempotence tests');
const run = kcat.run;

describe.skipIf(!kcat.available)('kcat idempotent producer', () => {
  it('produces with enable.idempotence=true; every record is stored once with the producer id', async () => {
    await kcat.server.broker.createTopic('idem-kcat', { partitions: 1 });
    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}`);
    // A small batch size so the records travel as several batches with continuing sequences.
    const produced = await run(['-P', '-t', 'idem-kcat', '-p', '0', '-X', 'enable.idempotence=true', '-X', 'batch.num.messages=10', '-X', 'linger.ms=0'], `${lines.join('\n')}\n`);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).not.toMatch(/fatal|error/i);

    const consumed = await run(['-C', '-t', 'idem-kcat', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(lines);

    const fetched = await kcat.server.broker.fetch('idem-kcat', 0, 0, 16 * 1024 * 1024);
    try {
      const headers = fetched.batches.map((batch) => readBatchHeader(batch));
      expect(headers.length).toBeGreaterThan(0);
      expect(new Set(headers.map((header) => header.producerId)).size).toBe(1);
      expect(headers[0].producerId).toBeGreaterThanOrEqual(0);
      let sequence = 0;
      for (const header of headers) {
        expect(header.baseSequence).toBe(sequence);
        sequence += header.recordCount;
      }
      expect(sequence).toBe(lines.length);
    } finally {
      fetched.release();
    }
  }, timeoutMs(120_000));
});
