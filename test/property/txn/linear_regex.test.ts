// Goal: the linear-time matcher behind ListTransactions v2's transactional id pattern answers as a
// backtracking regex engine does on the syntax it accepts (whole-string match, Java's
// Matcher.matches), refuses what it cannot evaluate, and stays linear on patterns that make a
// backtracking engine exponential. Method: fast-check patterns from the accepted grammar against
// JavaScript's RegExp (whose semantics match Java's on this subset and alphabet), plus named cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearRegex } from '../../../core/linear_regex.js';

const bounds = { patternCharsMax: 255, programSizeMax: 2048 };

const matcher = (pattern: string) => {
  const compiled = compileLinearRegex(pattern, bounds);
  if (!compiled.ok) throw new Error(`refused ${pattern}: ${compiled.reason}`);
  return compiled.matches;
};

// Patterns over a small alphabet so random strings often match.
const atom: fc.Arbitrary<string> = fc.constantFrom('a', 'b', '-', '.', '\\d', '\\w', '\\.', '[ab]', '[^a]', '[a-c0-9]', '\\s', '7');
const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{2,}');
const pattern: fc.Arbitrary<string> = fc.letrec<{ expr: string; piece: string }>((tie) => ({
  piece: fc.oneof({ depthSize: 'small' }, fc.tuple(atom, quantifier).map(([a, q]) => a + q), fc.tuple(tie('expr'), quantifier).map(([e, q]) => `(${e})${q}`), fc.tuple(tie('expr'), quantifier).map(([e, q]) => `(?:${e})${q}`)),
  expr: fc.oneof({ depthSize: 'small' }, fc.array(tie('piece'), { minLength: 0, maxLength: 4 }).map((pieces) => pieces.join('')), fc.tuple(tie('expr'), tie('expr')).map(([l, r]) => `${l}|${r}`)),
})).expr;
const input = fc.array(fc.constantFrom('a', 'b', 'c', '-', '.', '7', ' ', '\n', 'é'), { maxLength: 12 }).map((chars) => chars.join(''));

/** True when a quantified group contains a quantifier or an alternation (what makes backtracking blow up). */
function nestedQuantifier(source: string): boolean {
  const stack: { inner: boolean }[] = [];
  let escaped = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (escaped) {
      escaped = false;
      continue;
    }
    if (char === '\\') escaped = true;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') {
      stack.push({ inner: false });
      // (?: and (?<name> open a group; their ? is not a quantifier.
      const marker = /^\?(?::|<[^>]*>)/.exec(source.slice(i + 1));
      if (marker !== null) i += marker[0].length;
    }
    else if (char === ')') {
      const group = stack.pop();
      const quantified = /^[*+?{]/.test(source.slice(i + 1));
      if (group !== undefined && group.inner && quantified) return true;
      if (stack.length > 0 && (group?.inner === true || quantified)) stack[stack.length - 1].inner = true;
    } else if ((char === '*' || char === '+' || char === '?' || char === '{' || char === '|') && stack.length > 0) stack[stack.length - 1].inner = true;
  }
  return false;
}

describe('compileLinearRegex', () => {
  it('answers as an anchored backtracking RegExp on the accepted syntax', () => {
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 8 }), (source, inputs) => {
        const compiled = compileLinearRegex(source, { ...bounds, patternCharsMax: 10_000 });
        if (!compiled.ok) {
          // Only size may refuse a pattern of this grammar.
          expect(compiled.reason).toMatch(/compiles to more than/);
          return;
        }
        // The oracle is a backtracking engine: a quantified group that holds a quantifier or an
        // alternation (star height 2) can take it exponential time on a 12-character input, and a
        // synchronous RegExp cannot be interrupted. Those patterns are compared on the named
        // exponential cases below (linear matcher only); the rest against the oracle.
        fc.pre(!nestedQuantifier(source));
        const reference = new RegExp(`^(?:${source})$`, 'u');
        for (const text of inputs) expect(compiled.matches(text)).toBe(reference.test(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['app-.*', 'app-1', true],
    ['app-.*', 'myapp-1', false],
    ['^app-\\d+$', 'app-42', true],
    ['app', 'app-1', false],
    ['a|b', 'b', true],
    ['(?<name>ab)+', 'abab', true],
    ['[]a]+', ']a]', true],
    ['x{0}', '', true],
    ['', '', true],
    ['.', '\n', false],
    ['.', '\u0085', false],
    ['\\w+', 'é', false],
    ['😀+', '😀😀', true],
    ['[😀-😂]', '😁', true],
  ])('%j on %j is %s', (source, text, expected) => {
    expect(matcher(source)(text)).toBe(expected);
  });

  it.each([
    ['(a)\\1', 'unsupported', /backreferences/],
    ['(?=a)a', 'unsupported', /lookaround/],
    ['(?i)a', 'unsupported', /\(\?\.\.\.\)/],
    ['a++', 'unsupported', /possessive/],
    ['\\bword', 'unsupported', /escape \\b/],
    ['\\p{L}', 'unsupported', /escape \\p/],
    ['[a-z&&[^b]]', 'unsupported', /nested|intersections/],
    ['a^b', 'unsupported', /\^ is supported only/],
    ['a$b', 'unsupported', /\$ is supported only/],
    ['x'.repeat(256), 'unsupported', /longer than 255/],
    ['(a{1000}){1000}', 'unsupported', /compiles to more than 2048/],
    ['((){1000}){1000}', 'unsupported', /compiles to more than 2048/],
    ['(ab', 'syntax', /unclosed group/],
    ['ab)', 'syntax', /unmatched/],
    ['[ab', 'syntax', /unclosed character class/],
    ['*a', 'syntax', /dangling/],
    ['a**', 'syntax', /dangling/],
    ['a*?*', 'syntax', /dangling/],
    ['a{2}{3}', 'unsupported', /repetition of nothing/],
    ['a{2,1}', 'syntax', /illegal repetition range/],
    ['a{id}', 'syntax', /illegal repetition at/],
    ['{1}', 'unsupported', /repetition of nothing/],
    ['{x}', 'syntax', /illegal repetition at/],
    ['[z-a]', 'syntax', /illegal character range/],
    ['a\\', 'syntax', /lone backslash/],
  ])('refuses %j (%s)', (source, kind, reason) => {
    const compiled = compileLinearRegex(source, bounds);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.kind).toBe(kind);
    expect(compiled.reason).toMatch(reason);
  });

  it('answers patterns that make a backtracking engine exponential (nested and overlapping repeats) on long input', () => {
    const text = `${'a'.repeat(20_000)}!`;
    for (const source of ['(a*)*b', '(a|a)*b', '(a|aa)+$', '(.*a){12}', '(\\w+\\w*)+x']) expect(matcher(source)(text)).toBe(false);
    expect(matcher('(a|a)*!')(text)).toBe(true);
  });
});
