// What a group member subscribes to: topic names and patterns, beside the topics metadata says
// exist; the topics it covers now follow from both. The classic member (member_state.ts) and the
// consumer-protocol member (consumer_member_state.ts) each hold one.
import { assert } from '../assert.js';
import type { MemberSubscription } from './member_effects.js';

export class TopicSubscription {
  private readonly names = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private partitionCounts = new Map<string, number>();

  /** The subscription's names and patterns; `start` of a member, once. */
  subscribe(subscription: MemberSubscription): void {
    assert(subscription.topics.length > 0, 'a subscription names at least one topic or pattern');
    for (const topic of subscription.topics) {
      if (typeof topic === 'string') this.names.add(topic);
      // A global or sticky RegExp keeps lastIndex between test() calls; a copy without them does not.
      else this.patterns.push(new RegExp(topic.source, topic.flags.replace(/[gy]/g, '')));
    }
  }

  /** Topic partition counts from the latest metadata (every topic, not only subscribed ones). */
  metadataChanged(partitionsPerTopic: ReadonlyMap<string, number>): void {
    for (const [topic, count] of partitionsPerTopic) {
      assert(Number.isInteger(count) && count >= 0, `metadata: ${topic} has ${count} partitions`);
    }
    this.partitionCounts = new Map(partitionsPerTopic);
  }

  get partitionsPerTopic(): ReadonlyMap<string, number> {
    return this.partitionCounts;
  }

  /** The topics the subscription covers now: the names plus metadata topics a pattern matches. */
  topics(): string[] {
    const topics = new Set(this.names);
    for (const topic of this.partitionCounts.keys()) {
      if (this.patterns.some((pattern) => pattern.test(topic))) topics.add(topic);
    }
    return [...topics].sort();
  }
}
