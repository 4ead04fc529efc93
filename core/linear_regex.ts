// A regular expression matcher whose time is linear in the input: a client's pattern (Java regex
// syntax, as Kafka takes it) is compiled to a Thompson NFA and run as a Pike VM, so matching one
// string costs at most (program size × string length) steps whatever the pattern. JavaScript's
// own RegExp backtracks and can take exponential time on a hostile pattern; Kafka runs these
// patterns with java.util.regex, whose answer this gives for the subset accepted here.
//
// Accepted: literals; `.` (any character but a line terminator, as Java's default); the escapes
// \d \D \w \W \s \S \t \n \r \f \e \a and any escaped non-alphanumeric character; classes
// [...] and [^...] with ranges and those escapes; groups (...), (?:...) and (?<name>...);
// alternation; the quantifiers * + ? {n} {n,} {n,m}, greedy or lazy (which do not change whether a
// whole string matches); ^ at the very start and $ at the very end. Refused, with the reason:
// anything else Java has (backreferences, lookaround, possessive quantifiers, inline flags, \b,
// \p{...}, \Q...\E, class intersections and nested classes, anchors elsewhere), a syntax error, and
// a pattern or compiled program over the bounds given by the caller.
//
// Pure: no state outside a call; a compiled matcher is immutable.

export interface LinearRegexBounds {
  /** Longest pattern taken, in UTF-16 code units. */
  readonly patternCharsMax: number;
  /** Largest compiled program (instructions, after expanding counted repetitions). */
  readonly programSizeMax: number;
}

/** `matches` tests the whole string, as Java's Matcher.matches. */
export type LinearRegexCompiled =
  | { readonly ok: true; readonly matches: (input: string) => boolean }
  | { readonly ok: false; readonly kind: 'syntax' | 'unsupported'; readonly reason: string };

type CharTest = (codePoint: number) => boolean;

type Node =
  | { readonly kind: 'char'; readonly test: CharTest }
  | { readonly kind: 'concat'; readonly parts: readonly Node[] }
  | { readonly kind: 'alternate'; readonly options: readonly Node[] }
  | { readonly kind: 'repeat'; readonly body: Node; readonly min: number; readonly max: number }; // max −1: unbounded

class PatternRefused extends Error {
  constructor(
    readonly kind: 'syntax' | 'unsupported',
    reason: string,
  ) {
    super(reason);
  }
}

const syntax = (reason: string) => new PatternRefused('syntax', reason);
const unsupported = (reason: string) => new PatternRefused('unsupported', reason);

const isDigit: CharTest = (c) => c >= 0x30 && c <= 0x39;
const isWord: CharTest = (c) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isSpace: CharTest = (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
/** Java's line terminators, which `.` does not match without DOTALL. */
const isLineTerminator: CharTest = (c) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const anyButLineTerminator: CharTest = (c) => !isLineTerminator(c);

const controlEscapes: Readonly<Record<string, number>> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, e: 0x1b, a: 0x07 };
const classEscapes: Readonly<Record<string, CharTest>> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  w: isWord,
  W: (c) => !isWord(c),
  s: isSpace,
  S: (c) => !isSpace(c),
};

const isAsciiAlphanumeric = (char: string) => /^[0-9A-Za-z]$/.test(char);

class Parser {
  #at = 0;
  readonly #chars: readonly string[];

  constructor(pattern: string) {
    // By code point, as Java matches supplementary characters whole.
    this.#chars = [...pattern];
  }

  parse(): Node {
    if (this.#peek() === '^') this.#at++;
    const node = this.#alternation();
    if (this.#at < this.#chars.length) throw syntax(`unmatched ')' at ${this.#at}`);
    return node;
  }

  #peek(offset = 0): string | undefined {
    return this.#chars[this.#at + offset];
  }

  #alternation(): Node {
    const options = [this.#concatenation()];
    while (this.#peek() === '|') {
      this.#at++;
      options.push(this.#concatenation());
    }
    return options.length === 1 ? options[0] : { kind: 'alternate', options };
  }

  #concatenation(): Node {
    const parts: Node[] = [];
    for (;;) {
      const char = this.#peek();
      if (char === undefined || char === '|' || char === ')') break;
      if (char === '$') {
        this.#at++;
        if (this.#at !== this.#chars.length) throw unsupported('$ is supported only at the end of the pattern');
        break;
      }
      if (char === '^') throw unsupported('^ is supported only at the start of the pattern');
      parts.push(this.#quantified(this.#atom()));
    }
    return { kind: 'concat', parts };
  }

  #atom(): Node {
    const char = this.#chars[this.#at++];
    switch (char) {
      case '.':
        return { kind: 'char', test: anyButLineTerminator };
      case '(':
        return this.#group();
      case '[':
        return { kind: 'char', test: this.#class() };
      case '\\':
        return { kind: 'char', test: this.#escape(false) };
      case '*':
      case '+':
      case '?':
        throw syntax(`dangling quantifier '${char}' at ${this.#at - 1}`);
      case '{':
        // Java reads { as a repetition only (a literal one must be escaped); a well-formed one
        // with nothing before it repeats the empty string there, which Lanes does not take.
        if (this.#countedAt(this.#at - 1) !== null) throw unsupported(`a repetition of nothing at ${this.#at - 1}`);
        throw syntax(`illegal repetition at ${this.#at - 1}`);
      default:
        return literal(char);
    }
  }

  #group(): Node {
    if (this.#peek() === '?') {
      if (this.#peek(1) === ':') this.#at += 2;
      else if (this.#peek(1) === '<' && this.#peek(2) !== '=' && this.#peek(2) !== '!') {
        this.#at += 2;
        const start = this.#at;
        while (this.#peek() !== undefined && /^[0-9A-Za-z]$/.test(this.#peek()!)) this.#at++;
        if (this.#at === start || this.#peek() !== '>' || !/^[A-Za-z]$/.test(this.#chars[start])) throw syntax('a named group needs a name of letters and digits, starting with a letter');
        this.#at++;
      } else throw unsupported('lookaround, inline flags and other (?...) constructs are not supported');
    }
    const inner = this.#alternation();
    if (this.#peek() !== ')') throw syntax("unclosed group: missing ')'");
    this.#at++;
    return inner;
  }

  /** A class's test; the opening [ is consumed. */
  #class(): CharTest {
    let negated = false;
    if (this.#peek() === '^') {
      negated = true;
      this.#at++;
    }
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const char = this.#peek();
      if (char === undefined) throw syntax("unclosed character class: missing ']'");
      if (char === ']' && !first) {
        this.#at++;
        break;
      }
      first = false;
      if (char === '[') throw unsupported('nested character classes are not supported');
      if (char === '&' && this.#peek(1) === '&') throw unsupported('character class intersections (&&) are not supported');
      this.#at++;
      let low: number;
      if (char === '\\') {
        const escaped = this.#escape(true);
        if (escaped.codePoint === undefined) {
          tests.push(escaped);
          continue;
        }
        low = escaped.codePoint;
      } else low = char.codePointAt(0)!;
      if (this.#peek() === '-' && this.#peek(1) !== undefined && this.#peek(1) !== ']') {
        this.#at++;
        const end = this.#chars[this.#at++];
        let high: number;
        if (end === '\\') {
          const escaped = this.#escape(true);
          if (escaped.codePoint === undefined) throw syntax('a class range cannot end in a class escape');
          high = escaped.codePoint;
        } else if (end === '[') throw unsupported('nested character classes are not supported');
        else high = end.codePointAt(0)!;
        if (high < low) throw syntax(`illegal character range ${String.fromCodePoint(low)}-${String.fromCodePoint(high)}`);
        tests.push((c) => c >= low && c <= high);
      } else tests.push((c) => c === low);
    }
    return negated ? (c) => !tests.some((test) => test(c)) : (c) => tests.some((test) => test(c));
  }

  /** After a backslash: a class escape's test, or a single character's (tagged with its codePoint). */
  #escape(inClass: boolean): CharTest & { codePoint?: number } {
    const char = this.#chars[this.#at++];
    if (char === undefined) throw syntax('the pattern ends in a lone backslash');
    const classTest = classEscapes[char];
    if (classTest !== undefined) return classTest;
    const control = controlEscapes[char];
    if (control !== undefined) return single(control);
    if (!isAsciiAlphanumeric(char)) return single(char.codePointAt(0)!);
    if (/[1-9]/.test(char) || char === 'k') throw unsupported('backreferences are not supported');
    throw unsupported(`the escape \\${char}${inClass ? ' in a class' : ''} is not supported`);
  }

  /** A {n}, {n,} or {n,m} at `at`: its bounds and length, or null when the text is no quantifier. */
  #countedAt(at: number): { min: number; max: number; length: number } | null {
    const rest = this.#chars.slice(at, at + 24).join('');
    const match = /^\{(\d{1,9})(,(\d{0,9}))?\}/.exec(rest);
    if (match === null) return null;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? -1 : Number(match[3]);
    if (max !== -1 && max < min) throw syntax(`illegal repetition range ${match[0]}`);
    return { min, max, length: [...match[0]].length };
  }

  /** One quantifier after an atom, if any; a second one is a dangling metacharacter, as in Java. */
  #quantified(atom: Node): Node {
    const char = this.#peek();
    let min: number;
    let max: number;
    if (char === '*') [min, max] = [0, -1];
    else if (char === '+') [min, max] = [1, -1];
    else if (char === '?') [min, max] = [0, 1];
    else if (char === '{') {
      const counted = this.#countedAt(this.#at);
      if (counted === null) throw syntax(`illegal repetition at ${this.#at}`);
      [min, max] = [counted.min, counted.max];
      this.#at += counted.length - 1;
    } else return atom;
    this.#at++;
    if (this.#peek() === '+') throw unsupported('possessive quantifiers are not supported');
    if (this.#peek() === '?') this.#at++; // lazy: the same whole-string answer
    return { kind: 'repeat', body: atom, min, max };
  }

}

function literal(char: string): Node {
  const codePoint = char.codePointAt(0)!;
  return { kind: 'char', test: single(codePoint) };
}

function single(codePoint: number): CharTest & { codePoint: number } {
  return Object.assign((c: number) => c === codePoint, { codePoint });
}

// The program: `char` consumes a character its test accepts and goes on to `next`; `split` goes
// on to both; `match` accepts. Ids are indices into the program.
type Instruction = { op: 'char'; test: CharTest; next: number } | { op: 'split'; a: number; b: number } | { op: 'match' };

class Compiler {
  readonly program: Instruction[] = [];
  /** compile() calls so far: bounded too, as a repeated empty group emits nothing. */
  #calls = 0;

  constructor(readonly sizeMax: number) {}

  #tooLarge(): PatternRefused {
    return unsupported(`the pattern compiles to more than ${this.sizeMax} steps (repetition counts multiply its size)`);
  }

  emit(instruction: Instruction): number {
    if (this.program.length >= this.sizeMax) throw this.#tooLarge();
    this.program.push(instruction);
    return this.program.length - 1;
  }

  /**
   * Compiles `node` so that it continues to `next`; returns its entry. Built back to front, so
   * every instruction's successors exist when it is emitted.
   */
  compile(node: Node, next: number): number {
    if (++this.#calls > 4 * this.sizeMax) throw this.#tooLarge();
    switch (node.kind) {
      case 'char':
        return this.emit({ op: 'char', test: node.test, next });
      case 'concat': {
        let entry = next;
        for (let i = node.parts.length - 1; i >= 0; i--) entry = this.compile(node.parts[i], entry);
        return entry;
      }
      case 'alternate': {
        let entry = this.compile(node.options[node.options.length - 1], next);
        for (let i = node.options.length - 2; i >= 0; i--) entry = this.emit({ op: 'split', a: this.compile(node.options[i], next), b: entry });
        return entry;
      }
      case 'repeat': {
        let entry = next;
        if (node.max === -1) {
          // A loop: the split is emitted first and pointed at the body afterwards.
          const loop = this.emit({ op: 'split', a: -1, b: next });
          const body = this.compile(node.body, loop);
          (this.program[loop] as { a: number }).a = body;
          entry = loop;
        } else {
          for (let i = node.min; i < node.max; i++) entry = this.emit({ op: 'split', a: this.compile(node.body, entry), b: next });
        }
        for (let i = 0; i < node.min; i++) entry = this.compile(node.body, entry);
        return entry;
      }
    }
  }
}

/** Runs the program over `input` as a Pike VM: each instruction is in the live set at most once per step. */
function run(program: readonly Instruction[], start: number, input: string): boolean {
  const seen = new Int32Array(program.length).fill(-1);
  let current: number[] = [];
  let following: number[] = [];
  const stack: number[] = [];
  const add = (list: number[], pc: number, step: number) => {
    stack.push(pc);
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (seen[at] === step) continue;
      seen[at] = step;
      const instruction = program[at];
      if (instruction.op === 'split') {
        stack.push(instruction.b, instruction.a);
      } else list.push(at);
    }
  };
  let step = 0;
  add(current, start, step);
  for (const char of input) {
    if (current.length === 0) return false;
    const codePoint = char.codePointAt(0)!;
    step++;
    following.length = 0;
    for (const pc of current) {
      const instruction = program[pc];
      if (instruction.op === 'char' && instruction.test(codePoint)) add(following, instruction.next, step);
    }
    [current, following] = [following, current];
  }
  return current.some((pc) => program[pc].op === 'match');
}

export function compileLinearRegex(pattern: string, bounds: LinearRegexBounds): LinearRegexCompiled {
  if (pattern.length > bounds.patternCharsMax) return { ok: false, kind: 'unsupported', reason: `the pattern is longer than ${bounds.patternCharsMax} characters` };
  try {
    const node = new Parser(pattern).parse();
    const compiler = new Compiler(bounds.programSizeMax);
    const accept = compiler.emit({ op: 'match' });
    const start = compiler.compile(node, accept);
    const program: readonly Instruction[] = compiler.program;
    return { ok: true, matches: (input) => run(program, start, input) };
  } catch (error) {
    if (error instanceof PatternRefused) return { ok: false, kind: error.kind, reason: error.message };
    throw error;
  }
}
