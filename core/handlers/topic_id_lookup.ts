// Topic ids (KIP-516) for the consumer group APIs, which name topics by id on the wire while the
// coordinator works with names. An id the broker does not know (a deleted topic) is left out:
// Kafka does the same when it maps a member's owned partitions.
import type { RequestContext } from './handler.js';

export function topicIdOf(ctx: RequestContext, topic: string): Uint8Array | undefined {
  return ctx.broker.describeTopic(topic)?.topicId;
}

export function topicNameOf(ctx: RequestContext, topicId: Uint8Array): string | undefined {
  return ctx.broker.topicNameById(topicId);
}
