// A scenario file is user input: whatever JSON it holds, parseScenario answers with a scenario or
// with one-line errors, and never throws (no value of the file may reach an assert). Mutations of
// a valid scenario (a field replaced by any JSON value) are the inputs most like real mistakes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../../core/lab/builtin_scenarios.js';
import { parseScenario } from '../../../core/lab/scenario.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The JSON value with the node at `path` (indexes into objects' keys and arrays) replaced. */
function replaced(value: Json, path: readonly number[], replacement: Json): Json {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const index = head % value.length;
    return value.map((item, at) => (at === index ? replaced(item, rest, replacement) : item));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[head % keys.length];
  return { ...value, [key]: replaced(value[key], rest, replacement) };
}

function expectAnswered(json: unknown): void {
  const parsed = parseScenario(json);
  if (parsed.ok) return;
  expect(parsed.errors.length).toBeGreaterThan(0);
  for (const error of parsed.errors) expect(error).toMatch(/^(\(scenario\)[^\n]*: [^\n]+|… and \d+ more)$/);
}

describe('parseScenario on any input', () => {
  it('answers any JSON value without throwing', () => {
    fc.assert(fc.property(fc.jsonValue(), (json) => expectAnswered(json)), { numRuns: 300 });
  });

  it('answers any one-field mutation of a built-in scenario without throwing', () => {
    const sources = listScenarios().map((scenario) => JSON.parse(JSON.stringify(scenario)) as Json);
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue(), (source, path, replacement) => {
        expectAnswered(replaced(source, path, replacement as Json));
      }),
      { numRuns: 500 },
    );
  });
});
