// What a consumer group member subscribes to: topic names, a regular expression
// (SubscribedTopicRegex), or both. Kafka matches the pattern against the whole topic name
// (RE2J's `matches`); Lanes does the same with an anchored JavaScript RegExp, after checking the
// pattern stays in a subset whose matching time is bounded (see core/limits.ts): a client's
// pattern must not be able to stall the shard.

import { subscriptionRegexCharsMax, subscriptionRegexQuantifiersMax } from '../../limits.js';

export type RegexCheck = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

/** The compiled, anchored pattern, or why Lanes refuses it (INVALID_REGULAR_EXPRESSION). */
export function compileSubscriptionRegex(pattern: string): RegexCheck {
  if (pattern.length === 0) return { ok: false, reason: 'the pattern is empty' };
  if (pattern.length > subscriptionRegexCharsMax) return { ok: false, reason: `the pattern is longer than ${subscriptionRegexCharsMax} characters` };
  const shape = checkShape(pattern);
  if (shape !== null) return { ok: false, reason: shape };
  try {
    return { ok: true, regex: new RegExp(`^(?:${pattern})$`, 'u') };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Walks the pattern once: counts unbounded quantifiers, refuses backreferences, lookaround and a
 * quantified group that itself contains a quantifier or an alternation (the shapes behind
 * catastrophic backtracking: (a+)+, (a|a)*).
 */
function checkShape(pattern: string): string | null {
  let unbounded = 0;
  // One entry per open group: whether something inside it is quantified or alternated.
  const groups: boolean[] = [];
  let lastGroupComplex = false;
  let afterGroup = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'backreferences are not supported';
      i++;
      afterGroup = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      afterGroup = false;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?' && /[=!<]/.test(pattern[i + 2] ?? '')) {
        if (pattern[i + 2] !== '<' || /[=!]/.test(pattern[i + 3] ?? '')) return 'lookaround is not supported';
      }
      groups.push(false);
      afterGroup = false;
      continue;
    }
    if (c === ')') {
      lastGroupComplex = groups.pop() ?? false;
      if (lastGroupComplex && groups.length > 0) groups[groups.length - 1] = true;
      afterGroup = true;
      continue;
    }
    if (c === '|') {
      if (groups.length > 0) groups[groups.length - 1] = true;
      afterGroup = false;
      continue;
    }
    const quantifier = quantifierAt(pattern, i);
    if (quantifier !== null) {
      if (afterGroup && lastGroupComplex) return 'a quantified group may not contain a quantifier or an alternation';
      if (quantifier.unbounded) unbounded++;
      if (unbounded > subscriptionRegexQuantifiersMax) return `more than ${subscriptionRegexQuantifiersMax} unbounded quantifiers`;
      if (groups.length > 0) groups[groups.length - 1] = true;
      i = quantifier.end - 1;
      afterGroup = false;
      continue;
    }
    afterGroup = false;
  }
  return null;
}

function quantifierAt(pattern: string, i: number): { unbounded: boolean; end: number } | null {
  const c = pattern[i];
  let end = i + 1;
  let unbounded: boolean;
  if (c === '*' || c === '+') unbounded = true;
  else if (c === '?') unbounded = false;
  else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (match === null) return null;
    end = i + match[0].length;
    unbounded = match[2] !== undefined && match[3] === '';
  } else return null;
  if (pattern[end] === '?') end++; // lazy
  return { unbounded, end };
}

/**
 * The topics a member is subscribed to: its names that exist plus every existing topic its
 * pattern matches, sorted. Names not (yet) created are left out, as Kafka leaves them out of
 * the subscription metadata; they join once created.
 */
export function subscribedTopics(
  names: readonly string[],
  regex: RegExp | null,
  partitionCount: (topic: string) => number | undefined,
  allTopics: () => readonly string[],
): string[] {
  const topics = new Set<string>();
  for (const name of names) if (partitionCount(name) !== undefined) topics.add(name);
  if (regex !== null) for (const topic of allTopics()) if (regex.test(topic)) topics.add(topic);
  return [...topics].sort();
}
