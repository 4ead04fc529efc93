// One look at each topic per request. A request may name one topic thousands of times (a
// partitions array of 5,000 entries, or 5,000 entries of one topic), and the broker's
// describeTopic reads every partition of the topic each time it is asked: asked per partition
// named, a request cost (partitions named × partitions of the topic) directory reads and objects.
// Within one request every lookup of a name now sees the same view, taken at its first lookup: the
// partitions that existed then and their offsets of that moment. Memory: one entry per distinct
// name in the request, which the request's own size bounds.
import type { RequestContext, TopicView } from './handler.js';

/** A lookup of topic views for one request: describeTopic once per distinct name. */
export function topicViews(ctx: RequestContext): (name: string) => TopicView | undefined {
  const seen = new Map<string, TopicView | undefined>();
  return (name) => {
    if (seen.has(name)) return seen.get(name);
    const view = ctx.broker.describeTopic(name);
    seen.set(name, view);
    return view;
  };
}
