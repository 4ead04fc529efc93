// Assignor cost: what the leader (the embedded client) spends computing one assignment.
//
//   npx tsx bench/micro/assignors.bench.ts
//
// Groups, all members subscribing to every topic unless said otherwise:
//   small        10 topics × 10 partitions (100) over 10 members
//   large        10 topics × 1,000 partitions (10,000) over 1,000 members
//   mixed        as large, but odd members subscribe to topics 0–4 only (sticky's general path)
// Cases per group:
//   fresh        nobody owns anything (a new group)
//   join         every member owns its part of a sticky assignment and one member joins: the
//                rebalance a running group actually pays for (range/roundrobin ignore ownership)
// Times are per assign() call, including building the result maps. These are the plain TS
// assignors; TS against the WASM assignment kernel is bench/micro/assignment_kernel.bench.ts.

import { Bench } from 'tinybench';
import type { AssignmentSpec, AssignorMember, PartitionAssignor } from '../../core/assignors/assignor.js';
import { assignorFor } from '../../core/assignors/registry.js';
import { joinSpec } from '../support/join_spec.js';
import { printMachineFacts } from '../support/machine.js';

interface Group {
  name: string;
  topicCount: number;
  partitionsPerTopic: number;
  memberCount: number;
  mixed: boolean;
}

const groups: Group[] = [
  { name: 'small', topicCount: 10, partitionsPerTopic: 10, memberCount: 10, mixed: false },
  { name: 'large', topicCount: 10, partitionsPerTopic: 1000, memberCount: 1000, mixed: false },
  { name: 'mixed', topicCount: 10, partitionsPerTopic: 1000, memberCount: 1000, mixed: true },
];
const assignorNames = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'];

function freshSpec(group: Group): AssignmentSpec {
  const topics = Array.from({ length: group.topicCount }, (_, t) => `topic-${String(t).padStart(2, '0')}`);
  const members: AssignorMember[] = Array.from({ length: group.memberCount }, (_, i) => ({
    memberId: `consumer-${String(i).padStart(4, '0')}-5f0c2a9e`,
    topics: group.mixed && i % 2 === 1 ? topics.slice(0, topics.length / 2) : topics,
  }));
  return { members, partitionsPerTopic: new Map(topics.map((topic) => [topic, group.partitionsPerTopic])) };
}

/** The fresh group after a sticky assignment in generation 1, plus one newcomer. */
function stickyJoinSpec(group: Group): AssignmentSpec {
  const fresh = freshSpec(group);
  return joinSpec(fresh, (assignorFor('sticky') as PartitionAssignor).assign(fresh));
}

printMachineFacts('Assignors: one assign() call', 'npx tsx bench/micro/assignors.bench.ts');
console.log('| group | partitions × members | case | assignor | mean | p99 | samples |');
console.log('|---|---:|---|---|---:|---:|---:|');

let sink = 0;
for (const group of groups) {
  const cases = [
    ['fresh', freshSpec(group)],
    ['join', stickyJoinSpec(group)],
  ] as const;
  for (const [caseName, spec] of cases) {
    for (const name of assignorNames) {
      if (group.mixed && (name === 'range' || name === 'roundrobin') && caseName === 'join') continue;
      const assignor = assignorFor(name) as PartitionAssignor;
      const bench = new Bench({ time: group.name === 'small' ? 300 : 1500, iterations: 5, warmupTime: 100, warmupIterations: 2 });
      bench.add(name, () => {
        sink ^= assignor.assign(spec).size;
      });
      await bench.run();
      const result = bench.tasks[0].result;
      if (result.state !== 'completed') throw new Error(`${name} on ${group.name}/${caseName}: ${result.state}`);
      const formatMs = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
      const size = `${group.topicCount * group.partitionsPerTopic} × ${group.memberCount}${caseName === 'join' ? '+1' : ''}`;
      console.log(
        `| ${group.name} | ${size} | ${caseName} | ${name} | ${formatMs(result.latency.mean)} | ${formatMs(result.latency.p99)} | ${result.latency.samplesCount} |`,
      );
    }
  }
}
if (sink === 0.5) console.log(sink); // keeps the results observable to the optimiser
