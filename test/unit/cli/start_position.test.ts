// `lanes consume -o`: each spelling parses to what it means and resolves inside the log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStartPosition, resolveStart, type StartPosition } from '../../../actors/cli/start_position.js';

function parsed(value: string): StartPosition {
  const result = parseStartPosition(value);
  if ('problem' in result) throw new Error(`'${value}' did not parse: ${result.problem}`);
  return result;
}

describe('parseStartPosition', () => {
  it('reads the named, absolute, relative and time spellings', () => {
    expect(parsed('beginning')).toEqual({ kind: 'beginning' });
    expect(parsed('earliest')).toEqual({ kind: 'beginning' });
    expect(parsed('latest')).toEqual({ kind: 'end' });
    expect(parsed('42')).toEqual({ kind: 'offset', offset: 42 });
    expect(parsed('+5')).toEqual({ kind: 'afterStart', count: 5 });
    expect(parsed('-5')).toEqual({ kind: 'beforeEnd', count: 5 });
    expect(parsed('@1700000000000')).toEqual({ kind: 'timestamp', ms: 1_700_000_000_000 });
    expect(parsed('@2026-12-01T10:00:00Z')).toEqual({ kind: 'timestamp', ms: Date.parse('2026-12-01T10:00:00Z') });
  });

  it('refuses anything else with what it accepts', () => {
    for (const bad of ['', 'yesterday', '1.5', '+', '-x', '@', '@soon', '99999999999999999999', '+-1']) {
      expect(parseStartPosition(bad)).toEqual({ problem: expect.stringContaining('expected beginning, end') });
    }
  });
});

describe('resolveStart', () => {
  it('keeps the relative spellings inside [log start, log end]', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(3000), (start, length, count) => {
        const end = start + length;
        for (const kind of ['afterStart', 'beforeEnd'] as const) {
          const at = resolveStart({ kind, count }, start, end, -1);
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at).toBeLessThanOrEqual(end);
        }
        expect(resolveStart({ kind: 'beforeEnd', count }, start, end, -1)).toBe(Math.max(start, end - count));
        expect(resolveStart({ kind: 'afterStart', count }, start, end, -1)).toBe(Math.min(end, start + count));
      }),
    );
  });

  it('starts a time with no record that recent at the end, and leaves an absolute offset alone', () => {
    expect(resolveStart({ kind: 'timestamp', ms: 5 }, 10, 20, -1)).toBe(20);
    expect(resolveStart({ kind: 'timestamp', ms: 5 }, 10, 20, 13)).toBe(13);
    expect(resolveStart({ kind: 'offset', offset: 99 }, 10, 20, -1)).toBe(99);
    expect(resolveStart({ kind: 'beginning' }, 10, 20, -1)).toBe(10);
    expect(resolveStart({ kind: 'end' }, 10, 20, -1)).toBe(20);
  });
});
