// `--vary key=v1,v2`: the same scenario with one setting changed, checked again like a file.
//
// A key is a path into the scenario ("durationMs", "groups[0].assignor", "topics.1.partitions",
// "broker.initialRebalanceDelayMs") or a short name that changes the setting wherever it occurs:
// a group's field (assignor, protocol, members, maxPollRecords, commit, … and processing.ratePerSec
// or processing.perRecordMs) in every group, `partitions` in every topic, a producer's field
// (ratePerSec, recordBytes, keys.hotShare, …) in every producer. Varying `assignor` also picks the
// protocol that has it: uniform exists only in the consumer protocol, roundrobin, sticky and
// cooperative-sticky only in the classic one, and range in both (the group keeps its protocol), so
// `--vary assignor=range,cooperative-sticky,uniform` compares the three designs of the issue's
// 1M events/s scenario.

import { assignorNames } from '../assignors/registry.js';
import { consumerAssignorNames } from '../group/consumer/target_assignment.js';
import { parseScenario, scenarioSchema, type ParsedScenario, type Scenario } from './scenario.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A --vary value as typed on the command line: a number, true/false, JSON, or else a string. */
export function parseVariationValue(text: string): Json {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as Json;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

const groupFields = new Set(Object.keys(scenarioSchema.properties?.groups?.items?.properties ?? {}));
const topicFields = new Set(['partitions']);
const producerFields = new Set(Object.keys(scenarioSchema.properties?.producers?.items?.properties ?? {}).filter((field) => field !== 'topic'));

/** The scenario with `key` set to `value`, parsed again (errors name the variation). */
export function applyVariation(scenario: Scenario, key: string, value: string): ParsedScenario {
  const json = structuredClone(scenario) as unknown as { [key: string]: Json };
  const parsedValue = parseVariationValue(value);
  const path = key.replace(/\[(\d+)\]/g, '.$1').split('.').filter((part) => part !== '');
  const head = path[0] ?? '';
  const problems: string[] = [];
  if (path.length === 0) problems.push('expected a key');
  else if (scenarioSchema.properties?.[head] !== undefined) setPath(json, path, parsedValue, problems);
  else if (groupFields.has(head)) {
    for (const group of json.groups as { [key: string]: Json }[]) {
      if (head === 'processing' && path.length === 2) group.processing = { [path[1]]: parsedValue };
      else setPath(group, path, parsedValue, problems);
      if (head === 'assignor' && typeof parsedValue === 'string') group.protocol = protocolFor(parsedValue, group.protocol as string);
    }
  } else if (topicFields.has(head)) {
    for (const topic of json.topics as { [key: string]: Json }[]) setPath(topic, path, parsedValue, problems);
  } else if (producerFields.has(head)) {
    for (const producer of json.producers as { [key: string]: Json }[]) setPath(producer, path, parsedValue, problems);
  } else {
    problems.push(`unknown key (expected a path such as groups[0].assignor, or one of ${[...groupFields, ...topicFields, ...producerFields].filter((field) => field !== 'name').join(', ')})`);
  }
  const parsed = problems.length === 0 ? parseScenario(json) : { ok: false as const, errors: problems };
  if (parsed.ok) return parsed;
  return { ok: false, errors: parsed.errors.map((error) => `--vary ${key}=${value}: ${error}`) };
}

function protocolFor(assignor: string, current: string): string {
  const classic = assignorNames.includes(assignor);
  const consumer = (consumerAssignorNames as readonly string[]).includes(assignor);
  if (classic && consumer) return current;
  return consumer ? 'consumer' : classic ? 'classic' : current;
}

function setPath(target: { [key: string]: Json } | Json[], path: readonly string[], value: Json, problems: string[]): void {
  let node: Json = target;
  for (let index = 0; index < path.length - 1; index++) {
    const part = path[index];
    const next: Json | undefined = Array.isArray(node) ? node[Number(part)] : typeof node === 'object' && node !== null ? node[part] : undefined;
    if (typeof next !== 'object' || next === null) {
      problems.push(`${path.slice(0, index + 1).join('.')} is not in the scenario`);
      return;
    }
    node = next;
  }
  const last = path[path.length - 1];
  if (Array.isArray(node)) node[Number(last)] = value;
  else if (typeof node === 'object' && node !== null) node[last] = value;
}
