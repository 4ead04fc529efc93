// A scenario file is user input: each mistake in it must come back as one line naming where it
// is and what was expected, and a valid file must come back with every default filled in.
import { describe, expect, it } from 'vitest';
import { parseScenario, scenarioSchemaDocument, type Scenario } from '../../../core/lab/scenario.js';
import { applyVariation } from '../../../core/lab/variation.js';

const minimal = {
  name: 'orders',
  durationMs: 1000,
  topics: [{ name: 'orders', partitions: 4 }],
  producers: [{ topic: 'orders', ratePerSec: 100 }],
  groups: [{ name: 'processors', topic: 'orders', members: ['A', 'B'], processing: { ratePerSec: 50 } }],
  timeline: [
    { atMs: 300, event: 'kill', group: 'processors', member: 'B' },
    { atMs: 200, event: 'join', group: 'processors', member: 'C' },
  ],
};

function errorsOf(json: unknown): string[] {
  const parsed = parseScenario(json);
  if (parsed.ok) throw new Error('expected the scenario to be refused');
  return parsed.errors;
}

function parsed(json: unknown): Scenario {
  const result = parseScenario(json);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.scenario;
}

const withGroup = (changes: Record<string, unknown>) => ({ ...minimal, groups: [{ ...minimal.groups[0], ...changes }] });

describe('parseScenario', () => {
  it('fills in the defaults and orders the timeline', () => {
    const scenario = parsed(minimal);
    expect(scenario.groups[0]).toEqual({
      name: 'processors', topics: ['orders'], protocol: 'classic', assignor: 'range', members: ['A', 'B'],
      processing: { ratePerSec: 50 }, maxPollRecords: 500, maxPollIntervalMs: 300_000, sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3_000, commit: 'auto', autoCommitIntervalMs: 5_000,
    });
    expect(scenario.producers[0]).toEqual({ topic: 'orders', ratePerSec: 100, recordBytes: 100, keys: { kind: 'none' } });
    expect(scenario.broker).toEqual({ initialRebalanceDelayMs: 3_000, groupMinSessionTimeoutMs: 6_000 });
    expect(scenario.timeline.map((event) => event.event)).toEqual(['join', 'kill']);
    expect(scenario.sampleEveryMs).toBe(2);
    expect(scenario.description).toBe('');
  });

  it('names counted members c1…cN, and unnamed joiners the next free name; the consumer protocol defaults to uniform', () => {
    const scenario = parsed({
      ...withGroup({ members: 3, protocol: 'consumer' }),
      timeline: [{ atMs: 10, event: 'join', group: 'processors' }, { atMs: 20, event: 'join', group: 'processors' }],
    });
    expect(scenario.groups[0].members).toEqual(['c1', 'c2', 'c3']);
    expect(scenario.groups[0].assignor).toBe('uniform');
    expect(scenario.timeline).toEqual([
      { atMs: 10, event: 'join', group: 'processors', member: 'c4' },
      { atMs: 20, event: 'join', group: 'processors', member: 'c5' },
    ]);
  });

  it('takes a per-record time as a number or a distribution', () => {
    expect(parsed(withGroup({ processing: { perRecordMs: 2 } })).groups[0].processing).toEqual({ perRecordMs: { kind: 'fixed', ms: 2 } });
    expect(parsed(withGroup({ processing: { perRecordMs: { kind: 'exponential', meanMs: 3 } } })).groups[0].processing)
      .toEqual({ perRecordMs: { kind: 'exponential', meanMs: 3 } });
  });

  it('a parsed scenario parses to itself (reports carry it, --vary re-parses it)', () => {
    const scenario = parsed(minimal);
    expect(parsed(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });

  it('ignores a $schema link, and exports the schema as a JSON document', () => {
    expect(parsed({ $schema: 'lab-scenario.json', ...minimal }).name).toBe('orders');
    const document = JSON.parse(JSON.stringify(scenarioSchemaDocument));
    expect(document.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(document.properties)).toContain('timeline');
  });

  it.each([
    ['not an object', 42, ['(scenario): expected an object, got 42']],
    ['a missing field', { ...minimal, durationMs: undefined }, ['(scenario).durationMs: missing (expected an integer ≥ 1 and ≤ 86400000)']],
    ['an unknown field', { ...minimal, duration: 5 }, [expect.stringMatching(/^\(scenario\)\.duration: unknown field \(expected one of name, description, durationMs, /)]],
    ['a wrong type', { ...minimal, topics: [{ name: 'orders', partitions: '4' }] }, ['(scenario).topics[0].partitions: expected an integer ≥ 1 and ≤ 4096, got "4"']],
    ['a bad name', { ...minimal, topics: [{ name: 'or ders', partitions: 4 }] }, [`(scenario).topics[0].name: expected a topic name (letters, digits, '.', '_', '-'), got "or ders"`]],
    ['an unknown enum value', withGroup({ commit: 'sometimes' }), ['(scenario).groups[0].commit: expected one of auto, after, before, got "sometimes"']],
    ['an unknown event', { ...minimal, timeline: [{ atMs: 1, event: 'explode', group: 'processors' }] },
      ['(scenario).timeline[0].event: expected one of join, kill, leave, slow, add-partitions, broker-restart, got "explode"']],
    ['an event missing its field', { ...minimal, timeline: [{ atMs: 1, event: 'slow', group: 'processors', member: 'A' }] },
      ['(scenario).timeline[0].factor: missing (expected a number > 0 and ≤ 1000000)']],
    ['an unknown key distribution', { ...minimal, producers: [{ topic: 'orders', ratePerSec: 1, keys: { kind: 'normal' } }] },
      ['(scenario).producers[0].keys.kind: expected one of none, uniform, zipf, hot, got "normal"']],
    ['a hot share over 1', { ...minimal, producers: [{ topic: 'orders', ratePerSec: 1, keys: { kind: 'hot', hotShare: 1.5 } }] },
      ['(scenario).producers[0].keys.hotShare: expected a number ≥ 0 and ≤ 1, got 1.5']],
    ['processing of neither kind', withGroup({ processing: { speed: 3 } }), ['(scenario).groups[0].processing: expected { ratePerSec } or { perRecordMs }, got an object with speed']],
    ['members of the wrong kind', withGroup({ members: 0 }), ['(scenario).groups[0].members: expected an integer ≥ 1 and ≤ 1024, got 0']],
    ['a member named twice', withGroup({ members: ['A', 'A'] }), ['(scenario).groups[0].members[1]: "A" appears twice']],
    ['a topic nobody declared', withGroup({ topic: 'payments' }), ['(scenario).groups[0].topics: no topic payments in topics (orders)']],
    ['neither topic nor topics', withGroup({ topic: undefined }), ['(scenario).groups[0]: expected either topic or topics']],
    ['an assignor the protocol lacks', withGroup({ protocol: 'consumer', assignor: 'cooperative-sticky' }),
      ['(scenario).groups[0].assignor: the consumer protocol has no assignor cooperative-sticky (expected one of uniform, range)']],
    ['a session shorter than the broker allows', withGroup({ sessionTimeoutMs: 100, heartbeatIntervalMs: 30 }),
      ['(scenario).groups[0].sessionTimeoutMs: expected at least broker.groupMinSessionTimeoutMs (6000), got 100']],
    ['an event after the end', { ...minimal, timeline: [{ atMs: 1001, event: 'leave', group: 'processors', member: 'A' }] },
      ['(scenario).timeline[0].atMs: expected at most durationMs (1000), got 1001']],
    ['a kill of a member that never joined', { ...minimal, timeline: [{ atMs: 5, event: 'kill', group: 'processors', member: 'Z' }] },
      ['(scenario).timeline[0].member: processors has no member Z (members are A, B, and those that join earlier)']],
    ['partitions that do not grow', { ...minimal, timeline: [{ atMs: 5, event: 'add-partitions', topic: 'orders', partitions: 4 }] },
      ['(scenario).timeline[0].partitions: expected more than the 4 partitions orders has then, got 4']],
    ['a group named twice', { ...minimal, groups: [minimal.groups[0], minimal.groups[0]] }, ['(scenario).groups[1].name: group processors appears twice']],
    ['too many samples', { ...minimal, sampleEveryMs: 1, durationMs: 86_400_000, timeline: [] },
      ['(scenario).sampleEveryMs: expected at least 17284 (at most 5000 samples), got 1']],
  ])('refuses %s with one line naming where and what', (_what, json, expected) => {
    expect(errorsOf(json)).toEqual(expected);
  });

  it('reports every problem at once, one line each', () => {
    const errors = errorsOf({ ...minimal, durationMs: -1, topics: [], groups: [{ name: 'g' }] });
    expect(errors).toEqual([
      '(scenario).durationMs: expected an integer ≥ 1 and ≤ 86400000, got -1',
      '(scenario).topics: expected at least 1 entry, got 0',
      '(scenario).groups[0].members: missing (expected an integer ≥ 1 and ≤ 1024 or a list of member names)',
      '(scenario).groups[0].processing: missing (expected { ratePerSec } or { perRecordMs })',
    ]);
    for (const error of errors) expect(error).not.toContain('\n');
  });
});

describe('applyVariation', () => {
  const base = parsed(minimal);

  it('sets a short key in every group, and the assignor picks its protocol', () => {
    const uniform = applyVariation(base, 'assignor', 'uniform');
    expect(uniform.ok && uniform.scenario.groups[0]).toMatchObject({ assignor: 'uniform', protocol: 'consumer' });
    const sticky = applyVariation(base, 'assignor', 'cooperative-sticky');
    expect(sticky.ok && sticky.scenario.groups[0]).toMatchObject({ assignor: 'cooperative-sticky', protocol: 'classic' });
    const rate = applyVariation(base, 'processing.ratePerSec', '75');
    expect(rate.ok && rate.scenario.groups[0].processing).toEqual({ ratePerSec: 75 });
  });

  it('sets a path, or partitions in every topic', () => {
    const path = applyVariation(base, 'groups[0].maxPollRecords', '10');
    expect(path.ok && path.scenario.groups[0].maxPollRecords).toBe(10);
    const partitions = applyVariation(base, 'partitions', '8');
    expect(partitions.ok && partitions.scenario.topics[0].partitions).toBe(8);
  });

  it('refuses an unknown key or a value the schema refuses, naming the variation', () => {
    const unknown = applyVariation(base, 'colour', 'red');
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.errors[0]).toMatch(/^--vary colour=red: unknown key/);
    const bad = applyVariation(base, 'commit', 'never');
    expect(!bad.ok && bad.errors).toEqual(['--vary commit=never: (scenario).groups[0].commit: expected one of auto, after, before, got "never"']);
  });
});
