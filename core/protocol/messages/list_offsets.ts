// ListOffsets (api key 2). v1 returns a single offset per partition (v0's offsets array is not
// served, as in Kafka 4.x: KIP-896 dropped it); v2 adds the isolation level, v4 leader epochs; v5
// only adds an error code; v6 is the first flexible version. The later versions only let a client
// send new timestamps (which Lanes answers at every version, as Kafka's broker does): v7 −3, the
// record with the largest timestamp (KIP-734); v8 −4, the earliest offset of the local log
// (KIP-405); v9 −5, the latest offset in tiered storage (KIP-1005); v10 adds a timeout for
// reads from tiered storage (KIP-1075), which a single-tier log never waits on.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  versions: '1-10',
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
                // −1 latest, −2 earliest, −3 max timestamp, −4 earliest local, −5 latest
                // tiered; otherwise a timestamp in ms.
                { name: 'timestamp', type: 'int64', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '10+', default: 0 },
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
