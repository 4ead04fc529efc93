// Unmodified @platformatic/kafka 2.12.1 admin against `lanes` over TCP, at the versions it picks
// (DeleteRecords v2, DescribeLogDirs v4, both flexible): deleteRecords moves the log start offset
// (listOffsets earliest follows) and describeLogDirs reports each partition's bytes.
// Needs `npm run clients:install` (see support/platformatic.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { platformatic, skipWithoutPlatformatic, type PlatformaticModule } from './support/platformatic.js';

skipWithoutPlatformatic('the @platformatic/kafka admin compatibility tests');

let server: TestServer;
let kafka: PlatformaticModule;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (platformatic === null) return;
  kafka = platformatic;
  server = await startTestServer();
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await server?.stop();
});

function admin() {
  const client = new kafka.Admin({ clientId: 'lanes-compat-admin', bootstrapBrokers: [server.address], retries: 5, retryDelay: 100 });
  closers.push(() => client.close());
  return client;
}

describe.skipIf(platformatic === null)('@platformatic/kafka admin deleteRecords and describeLogDirs', () => {
  it('moves the log start offset and reports partition sizes', async () => {
    await server.broker.createTopic('pf-trimmed', { partitions: 2 });
    for (let i = 0; i < 4; i++) {
      const records = Array.from({ length: 5 }, (_, r) => ({ key: null, value: new TextEncoder().encode(`v${i * 5 + r}`) }));
      await server.broker.produce('pf-trimmed', 0, encodeRecordBatch(records), { acks: -1 });
    }
    const client = admin();
    const deleted = await client.deleteRecords({ topics: [{ name: 'pf-trimmed', partitions: [{ partition: 0, offset: 12n }] }] });
    expect(deleted).toEqual([{ name: 'pf-trimmed', partitions: [{ partition: 0, lowWatermark: 12n }] }]);
    expect(server.broker.describeTopic('pf-trimmed')!.partitions[0].logStartOffset).toBe(12);

    const [broker] = await client.describeLogDirs({ topics: [{ name: 'pf-trimmed', partitions: [0, 1] }] });
    expect(broker.broker).toBe(0);
    expect(broker.results.map((result) => result.logDir)).toEqual(['memory']);
    const partitions = broker.results[0].topics.find((topic) => topic.name === 'pf-trimmed')!.partitions;
    expect(partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n])).toEqual([[0, true], [1, false]]);
  });
});
