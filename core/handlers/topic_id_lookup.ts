// Topic ids (KIP-516) for the consumer group APIs, which name topics by id on the wire while the
// coordinator works with names. A topic the broker has no id for (or an id it does not know, a
// deleted topic) is left out: Kafka does the same when it maps a member's owned partitions.
import type { BrokerFacade, RequestContext, TopicView } from './handler.js';

/** The broker's id lookups, where the broker has topic ids. */
type WithTopicIds = BrokerFacade & { topicNameById?(topicId: Uint8Array): string | undefined };

export function topicIdOf(ctx: RequestContext, topic: string): Uint8Array | undefined {
  return (ctx.broker.describeTopic(topic) as (TopicView & { topicId?: Uint8Array }) | undefined)?.topicId;
}

export function topicNameOf(ctx: RequestContext, topicId: Uint8Array): string | undefined {
  return (ctx.broker as WithTopicIds).topicNameById?.(topicId);
}
