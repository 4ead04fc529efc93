// OffsetFetch (api key 9). v1 reads Kafka-stored offsets; v2 allows a null topic list (all
// topics) and adds a top-level error code; v5 returns the committed leader epoch.
// v6 is the first flexible version, v7 adds require_stable, v8 asks for several groups at once,
// v9 carries a consumer-protocol (KIP-848) member's id and epoch (STALE_MEMBER_EPOCH).
// Served from v1, which librdkafka needs.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const offsetFetchApi = defineApi({
  key: 9,
  name: 'OffsetFetch',
  versions: '1-9',
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
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: [
          { name: 'groupId', type: 'string', versions: '8+' },
          { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
          { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1 },
          {
            name: 'topics',
            versions: '8+',
            nullableVersions: '8+',
            type: {
              array: [
                { name: 'topicName', type: 'string', versions: '8+' },
                { name: 'partitionIndexes', type: { array: 'int32' }, versions: '8+' },
              ],
            },
          },
        ],
      },
    },
    { name: 'requireStable', type: 'bool', versions: '7+', default: false },
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
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: [
          { name: 'groupId', type: 'string', versions: '8+' },
          {
            name: 'topics',
            versions: '8+',
            type: {
              array: [
                { name: 'topicName', type: 'string', versions: '8+' },
                {
                  name: 'partitions',
                  versions: '8+',
                  type: {
                    array: [
                      { name: 'partitionIndex', type: 'int32', versions: '8+' },
                      { name: 'committedOffset', type: 'int64', versions: '8+' },
                      { name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
                      { name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                      { name: 'errorCode', type: 'int16', versions: '8+' },
                    ],
                  },
                },
              ],
            },
          },
          { name: 'errorCode', type: 'int16', versions: '8+', default: 0 },
        ],
      },
    },
  ],
});

/** The last version asking for one group in the top-level fields (v8 moved them into `groups`). */
export const offsetFetchSingleGroupVersionMax = 7;

export type OffsetFetchRequest = RequestOf<typeof offsetFetchApi>;
export type OffsetFetchResponse = ResponseOf<typeof offsetFetchApi>;
