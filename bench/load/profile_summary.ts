// `npx tsx bench/load/profile_summary.ts <dir or .cpuprofile>… [--top 25]`: self time per
// function (name, file:line) of V8 CPU profiles, one table per profile, so the profiles that
// `main.ts --cpu-prof-dir` collects (main thread and each shard worker) can be read in a terminal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex === -1 ? 25 : Number(args.splice(topIndex, 2)[1]);
const files = args.flatMap((path) => (statSync(path).isDirectory() ? readdirSync(path).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(path, name)) : [path]));

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url === '' ? '' : `${relative(process.cwd(), frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  });
  const idle = selfMicros.get('(idle)') ?? 0;
  console.log(`\n## ${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(((total - idle) / total) * 100).toFixed(0)} % busy`);
  console.log('| self ms | % of busy | function |');
  console.log('|--:|--:|---|');
  for (const [key, micros] of [...selfMicros].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`| ${(micros / 1000).toFixed(1)} | ${((micros / (total - idle)) * 100).toFixed(1)} | ${key} |`);
  }
}
