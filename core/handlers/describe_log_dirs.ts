// DescribeLogDirs: the broker's one log directory (the data directory; `memory` for memory
// storage) with the size in bytes of each asked partition (null: every partition). No replica
// lags and no log is moving between directories, so offsetLag is 0 and isFutureKey false.
// Topics none of whose partitions were asked are left out (Kafka lists every topic of the
// directory, with an empty partition list).
import { describeLogDirsApi, type DescribeLogDirsResponse } from '../protocol/messages/describe_log_dirs.js';
import { ErrorCode } from '../errors.js';
import { errorCodeOf } from './errors.js';
import { defineHandler, type LogDirView } from './handler.js';

type LogDirTopic = DescribeLogDirsResponse['results'][number]['topics'][number];

export const describeLogDirs = defineHandler({
  api: describeLogDirsApi,
  async handle(ctx, request) {
    let dir: LogDirView;
    try {
      dir = await ctx.broker.describeLogDir();
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(error), results: [] };
    }
    const wanted = request.topics === null ? null : new Map(request.topics.map((topic) => [topic.topicName, new Set(topic.partitions)]));
    const topics = new Map<string, LogDirTopic>();
    const sorted = [...dir.partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    for (const { topic, partition, sizeBytes } of sorted) {
      if (wanted !== null && wanted.get(topic)?.has(partition) !== true) continue;
      let entry = topics.get(topic);
      if (entry === undefined) topics.set(topic, (entry = { topicName: topic, partitions: [] }));
      entry.partitions.push({ partitionIndex: partition, partitionSize: sizeBytes, offsetLag: 0, isFutureKey: false });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: dir.path, topics: [...topics.values()], totalBytes: dir.totalBytes, usableBytes: dir.usableBytes }],
    };
  },
});
