// README.md's code works as written. Every ```ts block type-checks against the package as a user
// gets it (`import … from 'lanes'` resolves to dist/ and its .d.ts files, the way an installed
// package does), and a block marked
//
//   <!-- test: run until "<text>", then SIGINT -->
//
// also runs: compiled to JavaScript, started with node, watched until its stdout shows <text>,
// then interrupted (Ctrl-C); it must exit 0 with nothing else on stdout or stderr (an embedded
// broker is quiet by default). A block holding several files names each on a line of its own
// (`// vitest.config.ts`).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh, repoRoot } from '../support/built_cli.js';
import { timeoutMs } from '../support/timeouts.js';

interface ReadmeBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  code: string;
  /** From `<!-- test: run until "…", then SIGINT -->` just above the fence. */
  runUntil: string | null;
}

function tsBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: a ts block is not closed`);
    const marker = /^<!-- test: run until "(.+)", then SIGINT -->$/.exec(lines[i - 1] ?? '');
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), runUntil: marker?.[1] ?? null });
    i = end;
  }
  return blocks;
}

/** A block's files: split where a line is only `// <name>.ts`; otherwise one file named for its line. */
function blockFiles(block: ReadmeBlock): { name: string; code: string }[] {
  const files: { name: string; code: string }[] = [];
  let current = { name: `readme-line-${block.line}.ts`, code: '' };
  for (const line of block.code.split('\n')) {
    const named = /^\/\/ ([\w.-]+\.ts)$/.exec(line);
    if (named !== null) {
      if (current.code.trim() !== '') files.push(current);
      current = { name: named[1], code: '' };
    } else current.code += `${line}\n`;
  }
  if (current.code.trim() !== '') files.push(current);
  return files;
}

const blocks = tsBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
// Inside the repository, so `lanes` resolves to this package by its own name (package.json exports).
const workDir = mkdtempSync(join(repoRoot, '.readme-check-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('README.md', () => {
  it('has ts blocks, one of them marked to run', () => {
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.filter((block) => block.runUntil !== null)).toHaveLength(1);
  });

  it('type-checks every ts block against the built package', () => {
    assertDistFresh();
    const paths: string[] = [];
    blocks.forEach((block, index) => {
      const dir = join(workDir, `block-${index}`);
      for (const file of blockFiles(block)) {
        const path = join(dir, file.name);
        rmSync(path, { force: true });
        ts.sys.writeFile(path, file.code);
        paths.push(path);
      }
    });
    const program = ts.createProgram(paths, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (diagnostic.file === undefined) return text;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      return `${diagnostic.file.fileName.slice(workDir.length + 1)}:${line + 1}: ${text}`;
    });
    expect(problems).toEqual([]);
  }, timeoutMs(120_000));

  it('runs the embedded example: it prints the record it consumed, and Ctrl-C stops it cleanly', async () => {
    assertDistFresh();
    const block = blocks.find((b) => b.runUntil !== null)!;
    const script = join(workDir, 'embedded.mjs');
    const { outputText } = ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    writeFileSync(script, outputText);
    // The user's environment: no log settings of the test run's.
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.LANES_LOG_LEVEL;
    delete env.LANES_LOG_FORMAT;
    const child = spawn(process.execPath, [script], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes(block.runUntil!)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A bound for a hang (never reaching the text, or not exiting after Ctrl-C), not an expectation.
    const hang = setTimeout(() => child.kill('SIGKILL'), timeoutMs(45_000));
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    clearTimeout(hang);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${block.runUntil!}\n`, stderr: '' });
  }, timeoutMs(60_000));
});
