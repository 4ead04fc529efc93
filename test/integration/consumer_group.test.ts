// The consumer group protocol (KIP-848) through the broker's shard threads: members heartbeat
// through Broker (as the wire handler does), partitions reconcile without being owned twice, a
// topic created later reaches a regex subscription (the host's topic catalogue reaching the
// coordinator), and the group — epochs, members, targets, current assignments, offsets — comes
// back the same after a restart on the same data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerTopicPartitions } from '../../core/group/group_api.js';

const group = 'kip848';

function request(overrides: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }): ConsumerGroupHeartbeatRequest {
  return {
    groupId: group,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: overrides.memberEpoch === 0 ? 30_000 : -1,
    subscribedTopicNames: overrides.memberEpoch === 0 ? ['orders'] : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    ownedPartitions: overrides.memberEpoch === 0 ? [] : null,
    clientId: 'test',
    clientHost: '/127.0.0.1',
    ...overrides,
  };
}

/** Heartbeats each member until its epoch and assignment settle, adopting assignments as a client does. */
async function settle(broker: Broker, members: Map<string, { epoch: number; owned: ConsumerTopicPartitions[] }>): Promise<void> {
  for (let round = 0; round < 6; round++) {
    for (const [memberId, state] of members) {
      const response = await broker.consumerGroupHeartbeat(request({ memberId, memberEpoch: state.epoch, ownedPartitions: state.owned }));
      expect(response.errorCode).toBe(0);
      state.epoch = response.memberEpoch;
      if (response.assignment !== null) state.owned = response.assignment.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] }));
      const owners = new Map<string, string>();
      for (const [id, other] of members) {
        for (const tp of other.owned) for (const p of tp.partitions) {
          expect(owners.get(`${tp.topic}-${p}`), `${tp.topic}-${p} owned twice`).toBeUndefined();
          owners.set(`${tp.topic}-${p}`, id);
        }
      }
    }
  }
}

describe('consumer group protocol through the shards', () => {
  it('reconciles three members, survives a restart, and re-targets a regex subscription when a topic appears', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-kip848-'));
    try {
      let broker = await Broker.start({ storage: 'disk', dataDir, shards: 2 });
      const members = new Map<string, { epoch: number; owned: ConsumerTopicPartitions[] }>();
      try {
        await broker.createTopic('orders', { partitions: 6 });
        for (const memberId of ['a', 'b', 'c']) {
          const joined = await broker.consumerGroupHeartbeat(request({ memberId, memberEpoch: 0 }));
          expect(joined.errorCode).toBe(0);
          members.set(memberId, { epoch: joined.memberEpoch, owned: joined.assignment?.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] })) ?? [] });
        }
        await settle(broker, members);
        for (const state of members.values()) expect(state.owned.flatMap((tp) => tp.partitions)).toHaveLength(2);
        const commit = await broker.offsetCommit({ groupId: group, generationId: members.get('a')!.epoch, memberId: 'a', groupInstanceId: null, topics: [{ name: 'orders', partitions: [{ partitionIndex: members.get('a')!.owned[0].partitions[0], committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }] });
        expect(commit.topics[0].partitions[0].errorCode).toBe(0);
      } finally {
        await broker.stop();
      }
      broker = await Broker.start({ storage: 'disk', dataDir, shards: 2 });
      try {
        const [described] = await broker.consumerGroupDescribe([group]);
        expect(described).toMatchObject({ errorCode: 0, groupState: 'Stable', groupEpoch: 3, assignmentEpoch: 3 });
        for (const member of described.members) {
          expect(member.assignment).toEqual(members.get(member.memberId)!.owned);
          expect(member.memberEpoch).toBe(3);
        }
        const fetched = await broker.offsetFetch({ groupId: group, topics: null });
        expect(fetched.topics[0].partitions[0].committedOffset).toBe(0);
        // the members carry on at their epochs after the restart
        await settle(broker, members);

        const regex = await broker.consumerGroupHeartbeat(request({ groupId: 'by-pattern', memberId: 'r', memberEpoch: 0, subscribedTopicNames: null, subscribedTopicRegex: 'events-.*' }));
        expect(regex).toMatchObject({ errorCode: 0, memberEpoch: 1, assignment: [] });
        await broker.createTopic('events-eu', { partitions: 2 });
        // The catalogue reaches the coordinator's shard asynchronously: heartbeat until it has.
        let assignment: readonly ConsumerTopicPartitions[] | null = null;
        for (let attempt = 0; attempt < 200 && assignment === null; attempt++) {
          const beat = await broker.consumerGroupHeartbeat(request({ groupId: 'by-pattern', memberId: 'r', memberEpoch: regex.memberEpoch, ownedPartitions: [] }));
          if (beat.assignment !== null && beat.assignment.length > 0) assignment = beat.assignment;
          else await new Promise((resolve) => setImmediate(resolve));
        }
        expect(assignment).toEqual([{ topic: 'events-eu', partitions: [0, 1] }]);
      } finally {
        await broker.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
