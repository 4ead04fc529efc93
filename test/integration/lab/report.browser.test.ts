// The `lanes lab` HTML report in a real browser (Debian's Chromium, headless, driven by
// playwright-core): opened from a file with every network request refused, it draws its charts
// (one line per partition and per member, the rebalances as bands on each time axis), the summary
// with a column per variant, and the variants of a --vary run side by side. A screenshot goes to
// test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { renderLabReport } from '../../../actors/lab/report_html.js';
import { skipWithoutTool } from '../../support/required_tool.js';
import { ordersFixture } from './report_fixture.js';

const chromiumPath = '/usr/bin/chromium';
const skip = skipWithoutTool('Chromium', existsSync(chromiumPath), 'apt-get install chromium', 'the lab report browser test');

// The little of the DOM the page function uses (the test program is typed without lib.dom).
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
}
interface PageDocument {
  querySelectorAll(selector: string): Iterable<PageElement>;
}

let browser: Browser | undefined;
const dir = mkdtempSync(join(tmpdir(), 'lanes-lab-report-'));

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it.skipIf(skip)('draws the charts, the summary and the variants side by side, from one file with no request out', async () => {
  const file = join(dir, 'report.html');
  writeFileSync(file, renderLabReport([ordersFixture('range'), ordersFixture('cooperative-sticky')]));
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1560, height: 1000 } });
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(`file://${file}`);
  const drawn = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    const charts = [...doc.querySelectorAll('svg[data-chart]')].map((svg) => ({
      chart: svg.dataset.chart!,
      lines: [...svg.querySelectorAll('path.line')].map((path) => path.dataset.seriesName),
      points: Number(svg.dataset.points ?? 0),
      bands: svg.querySelectorAll('rect.band').length,
      bars: [...svg.querySelectorAll('rect.bar')].map((bar) => [bar.dataset.member, bar.dataset.ms]),
      height: svg.getBoundingClientRect().height,
    }));
    const variants = [...doc.querySelectorAll('section[data-variant]')].map((section) => ({ name: section.dataset.variant, x: section.getBoundingClientRect().x, y: section.getBoundingClientRect().y }));
    const summaryHead = [...doc.querySelectorAll('table[data-summary] thead th')].map((th) => th.textContent);
    const processedTwice = [...doc.querySelectorAll('table[data-summary] tbody tr')]
      .map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent))
      .find((cells) => cells[0] === 'processed twice');
    return { charts, variants, summaryHead, processedTwice };
  });
  expect(outside).toEqual([]);
  expect(drawn.summaryHead).toEqual(['', 'assignor=range', 'assignor=cooperative-sticky']);
  expect(drawn.processedTwice).toEqual(['processed twice', '6', '6']);
  // Side by side: both variants start on the same line, the second to the right of the first.
  expect(drawn.variants.map((v) => v.name)).toEqual(['assignor=range', 'assignor=cooperative-sticky']);
  expect(drawn.variants[1].y).toBe(drawn.variants[0].y);
  expect(drawn.variants[1].x).toBeGreaterThan(drawn.variants[0].x);
  for (const index of [0, 1]) {
    const chart = (name: string) => drawn.charts.find((c) => c.chart === `${name}:${index}`)!;
    const g = 'order-processor';
    expect(chart('lag-partition').lines).toEqual([`${g}/orders-0`, `${g}/orders-1`, `${g}/orders-2`, `${g}/orders-3`]);
    expect(chart('lag-member').lines).toEqual([`${g}/A`, `${g}/B`, `${g}/C`]);
    expect(chart('throughput').lines).toEqual(['produced', `${g}/A`, `${g}/B`, `${g}/C`]);
    for (const name of ['lag-partition', 'lag-member', 'throughput']) {
      // Every sample drawn (11 per line), the three rebalances shaded, and the chart laid out.
      expect(chart(name).points).toBe(11 * chart(name).lines.length);
      expect(chart(name).bands).toBe(3);
      expect(chart(name).height).toBeGreaterThan(100);
    }
    expect(chart('idle').bars).toEqual([[`${g}/A`, '0'], [`${g}/B`, '0'], [`${g}/C`, '30']]);
  }
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: 'test-artifacts/lab-report.png', fullPage: true });
});
