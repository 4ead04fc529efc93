// The conditions a benchmark ran under, printed above its numbers: CPU, cores,
// Node and V8, OS, the commit (and whether the tree had uncommitted changes), and the date.
// Every bench file prints these first, so a figure pasted into BENCHMARKS.md carries them along.

import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, platform, release, totalmem } from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  /** Logical CPUs this process may use (os.availableParallelism). */
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  os: string;
  /** Short commit hash, or 'unknown' outside a git checkout. */
  commit: string;
  /** True when tracked files differ from the commit: the numbers may not be the commit's. */
  uncommittedChanges: boolean;
  /** ISO 8601, UTC. */
  date: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

export function machineFacts(): MachineFacts {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${release()} ${arch()}`,
    commit: git(['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    uncommittedChanges: status !== null && status.length > 0,
    date: new Date().toISOString(),
  };
}

/** The facts as comment lines ('# …'), ready to print above a Markdown table. */
export function formatMachineFacts(facts: MachineFacts): string {
  return [
    `# ${facts.cpuModel}, ${facts.cores} cores, ${facts.memoryGiB} GiB, ${facts.os}`,
    `# Node ${facts.node} (V8 ${facts.v8}), commit ${facts.commit}${facts.uncommittedChanges ? ' + uncommitted changes' : ''}, ${facts.date}`,
  ].join('\n');
}

/**
 * Prints a title line, the command that reproduces the run, and the machine facts; returns the
 * facts so a bench can also write them into its JSON result.
 */
export function printMachineFacts(title: string, command: string): MachineFacts {
  const facts = machineFacts();
  console.log(`# ${title}`);
  console.log(`# command: ${command}`);
  console.log(formatMachineFacts(facts));
  return facts;
}
