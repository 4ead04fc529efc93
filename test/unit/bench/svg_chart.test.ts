// The chart `lanes bench` writes next to its JSON: it must open in a browser (well-formed XML,
// text escaped) and show exactly one bar per measured system in each category.
import { describe, expect, it } from 'vitest';
import { renderChart, type ChartInput } from '../../../bench/e2e/svg_chart.js';
import { spread } from '../../../bench/e2e/stats.js';

/** Checks tags nest and close in order, attributes are quoted, and no raw '<' or '&' sits in text. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const token = /<\/?([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let at = 0;
  for (let match = token.exec(svg); match !== null; match = token.exec(svg)) {
    at = token.lastIndex;
    const [whole, name, , selfClosing, text] = match;
    if (text !== undefined) {
      expect(text.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toMatch(/[<&]/);
      continue;
    }
    if (whole.startsWith('</')) expect(stack.pop()).toBe(name);
    else if (selfClosing !== '/') stack.push(name);
  }
  expect(at).toBe(svg.length); // every character belonged to a tag or to text
  expect(stack).toEqual([]);
}

function bars(svg: string): { system: string }[] {
  return [...svg.matchAll(/<rect class="bar" data-system="([^"]*)"/g)].map((match) => ({ system: match[1] }));
}

const input: ChartInput = {
  title: 'lanes bench <quick> & friends',
  notes: ['AMD EPYC, 2 cores', 'command: lanes bench --quick'],
  panels: [
    {
      title: 'Throughput',
      unit: 'records/s',
      kind: 'count',
      categories: ['produce', 'consume', 'end-to-end'],
      series: [
        { name: 'Lanes (wire, memory)', values: [spread([3e6, 2.9e6, 3.1e6]), spread([4e6]), spread([2.5e6, 2.4e6])] },
        { name: 'Redis Streams', values: [spread([162e3]), spread([406e3]), spread([130e3])] },
        { name: 'NATS "JetStream"', values: [spread([110e3]), null, spread([106e3])] },
      ],
    },
    {
      title: 'End-to-end latency at 50k records/s',
      unit: 'ms',
      kind: 'ms',
      categories: ['p50', 'p99', 'p99.9'],
      series: [
        { name: 'Lanes (wire, memory)', values: [spread([0.4]), spread([3.1]), spread([9])] },
        { name: 'Redis Streams', values: [spread([1.2]), spread([8]), spread([20])] },
      ],
    },
  ],
};

describe('renderChart', () => {
  it('emits a well-formed SVG document with its text escaped', () => {
    const svg = renderChart(input);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormed(svg.trimEnd());
    expect(svg).toContain('lanes bench &lt;quick&gt; &amp; friends');
    expect(svg).toContain('NATS &quot;JetStream&quot;');
  });

  it('draws one bar per measured system in every category, none for a missing one', () => {
    const svg = renderChart(input);
    const groups = [...svg.matchAll(/<g class="group" data-category="([^"]*)">([\s\S]*?)<\/g>/g)];
    expect(groups.map((group) => group[1])).toEqual(['produce', 'consume', 'end-to-end', 'p50', 'p99', 'p99.9']);
    const perGroup = groups.map((group) => bars(group[2]).map((bar) => bar.system));
    expect(perGroup[0]).toEqual(['Lanes (wire, memory)', 'Redis Streams', 'NATS &quot;JetStream&quot;']);
    expect(perGroup[1]).toEqual(['Lanes (wire, memory)', 'Redis Streams']);
    expect(perGroup[3]).toEqual(['Lanes (wire, memory)', 'Redis Streams']);
    expect(bars(svg)).toHaveLength(3 + 2 + 3 + 2 * 3);
  });

  it('draws a taller bar for a larger value and labels it with the median', () => {
    const svg = renderChart(input);
    const heights = [...svg.matchAll(/<rect class="bar" data-system="[^"]*" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)"/g)].map((match) => Number(match[1]));
    expect(heights[0]).toBeGreaterThan(heights[1]); // 3.0M above 162k in the produce group
    expect(svg).toContain('>3.00M</text>');
    expect(svg).toContain('>162k</text>');
  });

  it('spans the axis over the decades the data occupies, not down to a fixed floor', () => {
    const svg = renderChart(input);
    // Throughput 106k–4M: ticks from 100k to 10M; latency 0.4–20 ms: ticks from 0.1 to 100 ms.
    expect(svg).toContain('>100k</text>');
    expect(svg).toContain('>10.0M</text>');
    expect(svg).toContain('>0.100</text>');
    expect(svg).not.toContain('>0.001</text>');
    expect(svg).not.toContain('>10.0k</text>');
  });
});
