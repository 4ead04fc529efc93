// core/ is the pure domain logic: given the same inputs (a Clock, a random source, bytes), it
// makes the same decisions, which is what lets the group state machine, the log and the codecs
// run under a fake clock and seeded simulations. This scans every source file under core/ (the
// syntax tree, so comments and strings do not count) for what would break that: importing
// threads, processes, disk, network, timers or performance hooks, and reading the time or a
// random number directly. Threads, time, disk and sockets live in actors/, which passes core/ a
// Clock (core/clock.ts) or a generator. Nothing is allow-listed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Modules core/ may not import, with or without the `node:` prefix. */
const bannedModules = new Set([
  'fs', 'fs/promises', 'net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns',
  'worker_threads', 'child_process', 'cluster', 'timers', 'timers/promises', 'perf_hooks',
]);
/** Globals that schedule work on the event loop, whoever they are reached through. */
const bannedIdentifiers = new Set(['setTimeout', 'setInterval', 'setImmediate']);
/** `object.member` reads of the clock or of randomness. */
const bannedMembers = new Set(['Date.now', 'performance.now', 'Math.random', 'crypto.getRandomValues', 'crypto.randomUUID', 'process.hrtime']);

function* sourcesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourcesUnder(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every impurity in one file's source text, as "line: what". */
function impurities(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    let specifier: ts.Expression | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) specifier = node.moduleSpecifier;
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) specifier = node.arguments[0];
    if (specifier !== undefined && ts.isStringLiteralLike(specifier) && bannedModules.has(specifier.text.replace(/^node:/, ''))) report(node, `imports ${specifier.text}`);
    if (ts.isIdentifier(node) && bannedIdentifiers.has(node.text)) report(node, node.text);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && bannedMembers.has(`${node.expression.text}.${node.name.text}`)) {
      report(node, `${node.expression.text}.${node.name.text}`);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments?.length ?? 0) === 0) report(node, 'new Date() (the current time)');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('core/ stays pure', () => {
  it('no file under core/ imports threads, processes, disk, network or timers, or reads the time or randomness', () => {
    const violations: string[] = [];
    for (const path of sourcesUnder(join(root, 'core'))) {
      for (const what of impurities(path, readFileSync(path, 'utf8'))) violations.push(`${relative(root, path)}:${what}`);
    }
    expect(violations).toEqual([]);
  });

  it('the scan sees each kind of impurity, and not comments or strings', () => {
    const text = [
      "import { readFileSync } from 'node:fs';",
      "import type { Worker } from 'worker_threads';",
      "export * from 'node:net';",
      'const later = () => setTimeout(() => {}, 1);',
      'const now = Date.now() + performance.now() + Math.random();',
      'const today = new Date();',
      'const fine = new Date(0); // Date.now() in a comment',
      "const text = 'setInterval Math.random';",
      "const mod = await import('node:child_process');",
    ].join('\n');
    expect(impurities('sample.ts', text)).toEqual([
      '1: imports node:fs',
      '2: imports worker_threads',
      '3: imports node:net',
      '4: setTimeout',
      '5: Date.now',
      '5: performance.now',
      '5: Math.random',
      '6: new Date() (the current time)',
      '9: imports node:child_process',
    ]);
  });
});
