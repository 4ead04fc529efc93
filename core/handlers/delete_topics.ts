// DeleteTopics: per-topic error codes. Up to v5 topics are named; from v6 each entry names its
// topic by name or by id (KIP-516), exactly one: an unknown id is UNKNOWN_TOPIC_ID, both or
// neither INVALID_REQUEST, as Kafka answers. The answer carries the topic's name and id.
import { ErrorCode, LanesError } from '../errors.js';
import { deleteTopicsApi, type DeleteTopicsResponseTopic } from '../protocol/messages/delete_topics.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';
import { isZeroTopicId, zeroTopicId } from './topic_ids.js';

export const deleteTopics = defineHandler({
  api: deleteTopicsApi,
  async handle(ctx, request) {
    const asked = ctx.apiVersion >= 6 ? request.topics : request.topicNames.map((topicName) => ({ topicName, topicId: zeroTopicId() }));
    const responses = await Promise.all(asked.map(({ topicName, topicId }) => deleteOne(ctx, topicName, topicId)));
    return { throttleTimeMs: 0, responses };
  },
});

async function deleteOne(ctx: RequestContext, askedName: string | null, askedId: Uint8Array): Promise<DeleteTopicsResponseTopic> {
  const byId = !isZeroTopicId(askedId);
  // Before v6 the response's name is not nullable: an entry there always has one.
  let topicName = askedName;
  let topicId = askedId;
  try {
    if (byId && askedName !== null) throw new LanesError(ErrorCode.INVALID_REQUEST, 'a topic is named by its name or by its id, not both');
    if (byId) {
      topicName = ctx.broker.topicNameById(askedId) ?? null;
      if (topicName === null) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_ID, 'no topic has this id');
    }
    if (topicName === null) throw new LanesError(ErrorCode.INVALID_REQUEST, 'a topic is named by its name or by its id; this entry has neither');
    topicId = ctx.broker.describeTopic(topicName)?.topicId ?? zeroTopicId();
    await ctx.broker.deleteTopic(topicName);
    return { topicName, topicId, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (error) {
    return { topicName, topicId, errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error) };
  }
}
