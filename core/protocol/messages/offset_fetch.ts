// OffsetFetch (api key 9). v1 reads Kafka-stored offsets; v2 allows a null topic list (all
// topics) and adds a top-level error code; v5 returns the committed leader epoch.
// Served from v1, which librdkafka needs.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const offsetFetchApi = defineApi({
  key: 9,
  name: 'OffsetFetch',
  versions: '1-5',
  flexibleVersions: '6+',
  request: [
    { name: 'groupId', type: 'string', versions: '0-7' },
    {
      name: 'topics',
      versions: '0-7',
      nullableVersions: '2-7',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0-7' },
          { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0-7' },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      versions: '0-7',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0-7' },
          {
            name: 'partitions',
            versions: '0-7',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0-7' },
                // -1 when the group has no committed offset for the partition.
                { name: 'committedOffset', type: 'int64', versions: '0-7' },
                { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
                { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
                { name: 'errorCode', type: 'int16', versions: '0-7' },
              ],
            },
          },
        ],
      },
    },
    { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
  ],
});

export type OffsetFetchRequest = RequestOf<typeof offsetFetchApi>;
export type OffsetFetchResponse = ResponseOf<typeof offsetFetchApi>;
