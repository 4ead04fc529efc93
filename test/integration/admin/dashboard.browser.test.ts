// The dashboard in a real browser (Debian's Chromium, headless, driven by playwright-core): it
// draws a consumer group's partitions and the member that owns them; when a second member joins,
// the page redraws the group with the partitions split between both members and adds the
// rebalance to the timeline, without a reload. A screenshot is written to test-artifacts/.
//
// Members are `lanes consume --group` processes over the Kafka protocol, as a user runs them.
// Every wait is for a condition on the page (bounded generously), never for a duration.
import { existsSync, mkdirSync } from 'node:fs';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import { runCli, spawnCli } from '../cli/support.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { skipWithoutTool } from '../../support/required_tool.js';
import { timeoutMs } from '../../support/timeouts.js';

const chromiumPath = '/usr/bin/chromium';
const skip = skipWithoutTool('Chromium', existsSync(chromiumPath), 'apt-get install chromium', 'the dashboard browser test');

// The little of the DOM these page functions use (the test program is typed without lib.dom).
interface PageElement {
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
}
interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

const waitMs = timeoutMs(45_000);

let server: TestServer;
let admin: AdminServer;
let browser: Browser | undefined;
const members: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  admin = await new AdminServer({ broker: server.broker, pollIntervalMs: 250, historyStepMs: 250 }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(
    members.map(
      (member) =>
        new Promise<void>((resolve) => {
          if (member.exitCode !== null) return resolve();
          member.once('exit', () => resolve());
          member.kill('SIGTERM');
        }),
    ),
  );
  await admin?.stop();
  await server?.stop();
});

const cli = (args: string[], stdin?: string) => runCli(args, { brokers: server.address, stdin });

function startMember(clientId: string): void {
  const member = spawnCli(['consume', 'orders', '--group', 'order-processors', '--client-id', clientId, '-f', '%p %o'], { brokers: server.address });
  member.stdout.resume();
  members.push(member);
}

/** What the page shows of a group: its members (client ids) and each partition's owner. */
async function drawnGroup(page: Page, groupId: string) {
  return page.evaluate((id) => {
    const card = [...(globalThis as unknown as { document: PageDocument }).document.querySelectorAll('section[data-group]')].find((el) => el.dataset.group === id);
    if (card === undefined) return null;
    const members = [...card.querySelectorAll('g[data-member]')].map((g) => ({ memberId: g.dataset.member!, clientId: g.dataset.clientId! }));
    const owners = [...card.querySelectorAll('g[data-partition]')].map((g) => ({ partition: g.dataset.partition!, owner: g.dataset.owner! }));
    return { generation: card.dataset.generation ?? '', members, owners, arrows: card.querySelectorAll('path[data-arrow]').length };
  }, groupId);
}

it.skipIf(skip)('redraws a group when a second member joins and adds the rebalance to the timeline', async () => {
  expect((await cli(['topic', 'create', 'orders', '-p', '4'])).code).toBe(0);
  expect((await cli(['topic', 'create', 'payments', '-p', '2'])).code).toBe(0);
  const lines = Array.from({ length: 48 }, (_, i) => `order-${i}:${JSON.stringify({ order: i, amount: (i * 37) % 500 })}`).join('\n');
  expect((await cli(['produce', 'orders', '-k', ':'], `${lines}\n`)).code).toBe(0);
  expect((await cli(['produce', 'payments', '-k', ':'], `${lines}\n`)).code).toBe(0);
  // A second group that read part of payments and stopped: drawn with lag and no members.
  expect((await cli(['consume', 'payments', '--group', 'billing', '--count', '20'])).code).toBe(0);

  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  // First paint: with the live stream refused, whatever the page shows came with the page itself.
  const first = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await first.route('**/api/events', (route) => route.abort());
  await first.goto(admin.url);
  const painted = await first.evaluate(() => {
    const doc = (globalThis as unknown as { document: PageDocument & { body: { innerText: string } } }).document;
    return {
      billing: doc.querySelector('section[data-group="billing"]')?.dataset.state ?? null,
      topics: [...doc.querySelectorAll('tr[data-topic-partition]')].length,
      loading: doc.body.innerText.includes('Loading'),
    };
  });
  expect(painted).toEqual({ billing: 'Empty', topics: 6, loading: false });
  mkdirSync('test-artifacts', { recursive: true });
  await first.screenshot({ path: 'test-artifacts/dashboard-first-paint.png' });
  await first.close();

  startMember('processor-a');
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await page.goto(admin.url);

  // One member owns all four partitions.
  await page.waitForFunction(
    () => {
      const card = (globalThis as unknown as { document: PageDocument }).document.querySelector('section[data-group="order-processors"]');
      if (card === null || card.dataset.members !== '1' || card.dataset.state !== 'Stable') return false;
      const owners = [...card.querySelectorAll('g[data-partition]')].map((g) => g.dataset.owner);
      return owners.length === 4 && owners.every((owner) => owner !== '' && owner === owners[0]);
    },
    null,
    { timeout: waitMs },
  );
  const before = (await drawnGroup(page, 'order-processors'))!;
  expect(before.members.map((m) => m.clientId)).toEqual(['processor-a']);
  expect(before.arrows).toBe(4);
  const generationBefore = Number(before.generation);
  expect(generationBefore).toBeGreaterThan(0);
  await page.waitForSelector(`ol.timeline li[data-group="order-processors"][data-generation="${generationBefore}"]`, { timeout: waitMs });
  expect(await page.locator('section[data-group="billing"]').getAttribute('data-state')).toBe('Empty');

  startMember('processor-b');

  // Redrawn: two members, each owning two of the four partitions, one arrow per partition.
  await page.waitForFunction(
    (generation) => {
      const card = (globalThis as unknown as { document: PageDocument }).document.querySelector('section[data-group="order-processors"]');
      if (card === null || card.dataset.members !== '2' || card.dataset.state !== 'Stable') return false;
      if (!(Number(card.dataset.generation) > generation)) return false;
      const memberIds = [...card.querySelectorAll('g[data-member]')].map((g) => g.dataset.member);
      const owners = [...card.querySelectorAll('g[data-partition]')].map((g) => g.dataset.owner);
      return owners.length === 4 && memberIds.every((id) => owners.filter((owner) => owner === id).length === 2);
    },
    generationBefore,
    { timeout: waitMs },
  );
  const after = (await drawnGroup(page, 'order-processors'))!;
  expect(after.members.map((m) => m.clientId).sort()).toEqual(['processor-a', 'processor-b']);
  expect(after.arrows).toBe(4);
  expect(Number(after.generation)).toBeGreaterThan(generationBefore);

  // The timeline has the rebalance that produced the new generation, naming who joined.
  const entry = page.locator(`ol.timeline li[data-group="order-processors"][data-generation="${after.generation}"]`);
  await entry.waitFor({ timeout: waitMs });
  const joined = after.members.find((m) => m.clientId === 'processor-b')!.memberId;
  expect(await entry.getAttribute('data-reason')).toBe('memberJoined');
  expect(await entry.locator('.chip').evaluateAll((chips) => chips.map((chip) => chip.getAttribute('title')))).toContain(joined);
  // The newest entry is first.
  expect(await page.locator('ol.timeline li').first().getAttribute('data-generation')).toBe(after.generation);

  // The charts: billing's lag and the topics' rates, drawn from the points the server kept.
  await page.waitForSelector('svg[data-chart="lag:billing"]', { timeout: waitMs });
  expect(Number(await page.locator('svg[data-chart="lag:billing"]').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await page.waitForSelector('svg[data-chart="rate:orders"]', { timeout: waitMs });

  await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
});

it.skipIf(skip)("shows a consumer-protocol group's type and group epoch, and each member's epoch and owned against target partitions", async () => {
  await server.broker.createTopic('kip848-dash', { partitions: 2 });
  const heartbeat = (memberId: string) =>
    server.broker.consumerGroupHeartbeat({
      groupId: 'kip848-dash',
      memberId,
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['kip848-dash'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      ownedPartitions: [],
      clientId: memberId,
      clientHost: '/127.0.0.1',
    });
  // The first member takes both partitions; the second joins (group epoch 2), targeted one the
  // first (silent from now on) has not revoked.
  expect(await heartbeat('first')).toMatchObject({ errorCode: 0, memberEpoch: 1 });
  expect(await heartbeat('second')).toMatchObject({ errorCode: 0, memberEpoch: 2 });

  browser ??= await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await page.route('**/api/events', (route) => route.abort());
  await page.goto(admin.url);
  const drawn = await page.evaluate(() => {
    const card = (globalThis as unknown as { document: PageDocument }).document.querySelector('section[data-group="kip848-dash"]');
    if (card === null) return null;
    return {
      type: card.dataset.type,
      generation: card.dataset.generation,
      members: [...card.querySelectorAll('g[data-member]')].map((g) => [g.dataset.member, g.dataset.memberEpoch, g.dataset.owned, g.dataset.target]),
    };
  });
  expect(drawn).toEqual({ type: 'consumer', generation: '2', members: [['first', '1', '2', '1'], ['second', '2', '0', '1']] });
  await page.close();
});
