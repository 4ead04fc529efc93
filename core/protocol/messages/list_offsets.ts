// ListOffsets (api key 2). v1 returns a single offset per partition (v0's offsets array is not
// served, as in Kafka 4.x: KIP-896 dropped it); v2 adds the isolation level, v4 leader epochs; v5
// only adds an error code; v6 is the first flexible version. Served up to v6, short of Kafka 4.x's
// v10: v7 lets a client ask for the offset of the record with the largest timestamp (−3), which
// the log cannot answer yet (it keeps each segment's largest timestamp, not that record's offset);
// v8–v10 (earliest local −4, latest tiered −5, a timeout) come after it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  versions: '1-6',
  flexibleVersions: '6+',
  request: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
                // -1 latest, -2 earliest, otherwise a timestamp in ms.
                { name: 'timestamp', type: 'int64', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
                { name: 'offset', type: 'int64', versions: '1+', default: -1 },
                { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type ListOffsetsRequest = RequestOf<typeof listOffsetsApi>;
export type ListOffsetsResponse = ResponseOf<typeof listOffsetsApi>;
