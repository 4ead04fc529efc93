// The rebalance timeline and counters from the coordinator's raw events, with a stand-in broker:
// who joined, who was removed and why (including members that vanished without an event), counts
// by group and reason; and the shard-side buffer stays bounded, counting what it dropped.
import { expect, it } from 'vitest';
import type { GroupEvent } from '../../../core/group/group_event.js';
import { BrokerObserver, type ObservedBroker } from '../../../actors/admin/broker_observer.js';
import { logger } from '../../../actors/logger.js';
import { GroupEventBuffer, type TimedGroupEvent } from '../../../actors/shard/group_event_buffer.js';

function fakeBroker(queue: TimedGroupEvent[][]): ObservedBroker {
  return {
    shardCount: 1,
    listTopics: () => [],
    drainGroupEvents: async () => [{ shard: 0, events: queue.shift() ?? [], dropped: 0 }],
  } as unknown as ObservedBroker;
}

const rebalance = (groupId: string, generationId: number, reason: 'memberJoined' | 'sessionTimeout' | 'memberLeft', members: string[]): GroupEvent => ({
  type: 'rebalance',
  groupId,
  generationId,
  reason,
  members,
  durationMs: 5,
});

it('turns rebalance and removal events into timeline entries, newest first, and counts them', async () => {
  const queue: TimedGroupEvent[][] = [
    [
      { atMs: 1, event: rebalance('g', 1, 'memberJoined', ['a']) },
      { atMs: 2, event: rebalance('g', 2, 'memberJoined', ['a', 'b']) },
    ],
    [
      { atMs: 3, event: { type: 'memberRemoved', groupId: 'g', memberId: 'a', groupInstanceId: null, cause: 'sessionTimeout' } },
      { atMs: 4, event: rebalance('g', 3, 'sessionTimeout', ['b']) },
      { atMs: 5, event: rebalance('other', 1, 'memberJoined', ['x']) },
    ],
    // b disappears without a removal event (e.g. replaced): reported as left.
    [{ atMs: 6, event: rebalance('g', 4, 'memberJoined', ['c']) }],
  ];
  const observer = new BrokerObserver(fakeBroker(queue), { logger });
  await observer.poll();
  await observer.poll();
  await observer.poll();
  const timeline = observer.timeline().map(({ groupId, generationId, reason, joined, removed }) => ({ groupId, generationId, reason, joined, removed }));
  expect(timeline).toEqual([
    { groupId: 'g', generationId: 4, reason: 'memberJoined', joined: ['c'], removed: [{ memberId: 'b', cause: 'left' }] },
    { groupId: 'other', generationId: 1, reason: 'memberJoined', joined: ['x'], removed: [] },
    { groupId: 'g', generationId: 3, reason: 'sessionTimeout', joined: [], removed: [{ memberId: 'a', cause: 'sessionTimeout' }] },
    { groupId: 'g', generationId: 2, reason: 'memberJoined', joined: ['b'], removed: [] },
    { groupId: 'g', generationId: 1, reason: 'memberJoined', joined: ['a'], removed: [] },
  ]);
  const ids = observer.timeline().map((entry) => entry.id);
  expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  expect(Object.fromEntries([...observer.rebalanceCounts()].map(([group, reasons]) => [group, Object.fromEntries(reasons)]))).toEqual({
    g: { memberJoined: 3, sessionTimeout: 1 },
    other: { memberJoined: 1 },
  });
});

it('keeps at most eventsMax events per shard, dropping the oldest and counting them', () => {
  const buffer = new GroupEventBuffer(3);
  for (let generation = 1; generation <= 5; generation++) buffer.record(rebalance('g', generation, 'memberJoined', ['a']), generation);
  const drained = buffer.drain();
  expect(drained.dropped).toBe(2);
  expect(drained.events.map((e) => (e.event.type === 'rebalance' ? e.event.generationId : -1))).toEqual([3, 4, 5]);
  expect(buffer.drain()).toEqual({ events: [], dropped: 0 });
});
