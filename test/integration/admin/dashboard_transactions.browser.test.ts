// The dashboard's open transactions: a kafkajs transactional producer leaves a transaction open on
// a partition and a plain producer appends behind it, so read_committed readers of that partition
// are held back by every record since the transaction's first. The overview (/api/overview) and
// the page in a real browser (Debian's Chromium, headless) show the transaction, its state and
// that partition's last-stable-offset lag (a screenshot goes to test-artifacts/); once it commits,
// the page says no transaction is open.
import { existsSync, mkdirSync } from 'node:fs';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import type { Overview } from '../../../actors/admin/broker_observer.js';
import { skipWithoutTool } from '../../support/required_tool.js';
import { timeoutMs } from '../../support/timeouts.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';

const chromiumPath = '/usr/bin/chromium';
const skipBrowser = skipWithoutTool('Chromium', existsSync(chromiumPath), 'apt-get install chromium', 'the dashboard transactions browser test');

// The little of the DOM the page functions use (the test program is typed without lib.dom).
interface PageElement {
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
}
interface PageDocument {
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
}

let server: TestServer;
let admin: AdminServer;
let browser: Browser | undefined;
const clients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await new AdminServer({ broker: server.broker, pollIntervalMs: 250, historyStepMs: 250 }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await browser?.close();
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await admin?.stop();
  await server?.stop();
});

const kafka = () => new Kafka({ clientId: 'dashboard-txn', brokers: [server.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });

async function overview(): Promise<Overview> {
  const response = await fetch(new URL('/api/overview', admin.url));
  return (await response.json()) as Overview;
}

/** An open transaction of `transactionalId` with 3 records on held/0, and a plain record after them. */
async function openTransaction(transactionalId: string): Promise<{ producer: Producer; commit(): Promise<void> }> {
  const producer = kafka().producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  clients.push(producer);
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'held', messages: [{ partition: 0, value: 't-0' }, { partition: 0, value: 't-1' }, { partition: 0, value: 't-2' }] });
  await txn.sendOffsets({ consumerGroupId: 'dash-readers', topics: [{ topic: 'held', partitions: [{ partition: 1, offset: '0' }] }] });
  const plain = kafka().producer();
  clients.push(plain);
  await plain.connect();
  await plain.send({ topic: 'held', messages: [{ partition: 0, value: 'behind' }] });
  return { producer, commit: () => txn.commit() };
}

it('the overview lists an open transaction with the last-stable-offset lag of its partition', async () => {
  await server.broker.createTopic('held', { partitions: 2 });
  expect((await overview()).transactions).toEqual([]);
  const open = await openTransaction('dash-api');
  const [listed, ...others] = (await overview()).transactions;
  expect(others).toEqual([]);
  expect(listed).toMatchObject({
    transactionalId: 'dash-api',
    state: 'Ongoing',
    groups: ['dash-readers'],
    // The transaction's first record is offset 0: nothing on held/0 is readable read_committed.
    partitions: [{ topic: 'held', partition: 0, lastStableOffset: 0, logEndOffset: 4, stableLag: 4 }],
  });
  expect(listed.ageMs).toBeGreaterThanOrEqual(0);
  expect(listed.timeoutMs).toBeGreaterThan(0);
  await open.commit();
  expect((await overview()).transactions).toEqual([]);
});

it.skipIf(skipBrowser)('the page shows the open transaction and the records it holds back, and drops it once committed', async () => {
  const open = await openTransaction('dash-page');
  // held/0 ends at 5 (the last test's four records and its commit marker), then 3 + 1: all 4 new ones wait.
  const expectedLag = String((await overview()).transactions[0].partitions[0].stableLag);
  expect(expectedLag).toBe('4');

  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await page.goto(admin.url);
  const row = page.locator('tr[data-transaction="dash-page"]');
  await row.waitFor({ timeout: timeoutMs(45_000) });
  expect(await row.getAttribute('data-state')).toBe('Ongoing');
  expect(await row.isVisible()).toBe(true);
  const held = row.locator('[data-held="held/0"]');
  expect(await held.getAttribute('data-stable-lag')).toBe(expectedLag);
  expect(await held.innerText()).toMatch(/held \[0\] 4 held back/);
  expect(await page.locator('#summary').innerText()).toContain('1 open transactions');
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: 'test-artifacts/dashboard-transactions.png', fullPage: true });

  await open.commit();
  // Redrawn from the live stream, without a reload.
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      return doc.querySelectorAll('tr[data-transaction]').length === 0 && doc.querySelectorAll('#transactions .empty').length === 1;
    },
    null,
    { timeout: timeoutMs(45_000) },
  );
  expect(await page.locator('#transactions').innerText()).toContain('No open transactions.');
});
