import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { memberFromSubscription, rebalanceProtocolFor, toTopicPartitions } from '../../../core/assignors/assignor.js';
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../../../core/assignors/consumer_protocol.js';
import { assignorFor, assignorNames } from '../../../core/assignors/registry.js';
import { plain, specOf } from './support.js';

interface KafkajsAssignerProtocol {
  MemberMetadata: { encode(metadata: { version: number; topics: string[] }): Buffer };
  MemberAssignment: { decode(buffer: Buffer): { version: number; assignment: Record<string, number[]> } | null };
}
const { AssignerProtocol } = createRequire(import.meta.url)('kafkajs') as { AssignerProtocol: KafkajsAssignerProtocol };

describe('assignor registry', () => {
  it("knows Kafka's, librdkafka's and kafkajs's protocol names", () => {
    expect([...assignorNames].sort()).toEqual(['RoundRobinAssigner', 'cooperative-sticky', 'range', 'roundrobin', 'sticky']);
    expect(assignorFor('no-such-assignor')).toBeUndefined();
    for (const name of assignorNames) expect(assignorFor(name)?.name).toBe(name);
  });

  it('says which assignors are cooperative, so the client picks eager or incremental revocation', () => {
    expect(assignorFor('cooperative-sticky')).toMatchObject({ cooperative: true, supportedProtocols: ['COOPERATIVE', 'EAGER'] });
    for (const name of ['range', 'roundrobin', 'sticky', 'RoundRobinAssigner']) {
      expect(assignorFor(name)).toMatchObject({ cooperative: false, supportedProtocols: ['EAGER'] });
    }
    const cooperative = assignorFor('cooperative-sticky')!;
    expect(rebalanceProtocolFor([cooperative])).toBe('COOPERATIVE');
    expect(rebalanceProtocolFor([cooperative, assignorFor('range')!])).toBe('EAGER');
  });

  it('answers kafkajs RoundRobinAssigner with round-robin semantics', () => {
    const spec = specOf(['b', 'a'].map((memberId) => ({ memberId, topics: ['t'] })), { t: 3 });
    expect(plain(assignorFor('RoundRobinAssigner')!.assign(spec))).toEqual(plain(assignorFor('roundrobin')!.assign(spec)));
  });

  it('runs a leader round trip: kafkajs metadata in, assignments kafkajs accepts out', () => {
    const members = ['kafkajs-2', 'kafkajs-1'].map((memberId) => {
      const metadata = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders'] });
      return memberFromSubscription(memberId, null, decodeSubscription(new Uint8Array(metadata)));
    });
    const assignment = assignorFor('RoundRobinAssigner')!.assign({ members, partitionsPerTopic: new Map([['orders', 3]]) });
    const received = [...assignment].map(([memberId, topics]) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(Buffer.from(encodeAssignment({ version: 0, assignedPartitions: toTopicPartitions(topics) })))?.assignment,
    ]);
    expect(Object.fromEntries(received)).toEqual({ 'kafkajs-2': { orders: [1] }, 'kafkajs-1': { orders: [0, 2] } });
  });

  it('feeds owned partitions and generation from a v2 subscription to the sticky assignors', () => {
    const bytes = encodeSubscription({ version: 2, topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 7 });
    const member = memberFromSubscription('m', 'instance-1', decodeSubscription(bytes));
    expect(member).toMatchObject({ memberId: 'm', groupInstanceId: 'instance-1', generationId: 7, ownedPartitions: [{ topic: 't', partitions: [1] }] });
    const other = { memberId: 'n', topics: ['t'] };
    expect(plain(assignorFor('sticky')!.assign(specOf([member, other], { t: 2 })))).toEqual({ m: { t: [1] }, n: { t: [0] } });
  });
});
