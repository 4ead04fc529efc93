// DescribeLogDirs (api key 35): the broker's log directories and the size of each partition in
// them. Kafka 4.0 serves v1 and later (v0 removed, KIP-896): v2 is flexible, v3 adds a top-level
// error code, v4 the volume's total and usable bytes.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const describeLogDirsApi = defineApi({
  key: 35,
  name: 'DescribeLogDirs',
  versions: '1-4',
  flexibleVersions: '2+',
  request: [
    {
      // null: every partition.
      name: 'topics',
      versions: '0+',
      nullableVersions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'logDir', type: 'string', versions: '0+' },
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
                      { name: 'partitionSize', type: 'int64', versions: '0+' },
                      { name: 'offsetLag', type: 'int64', versions: '0+' },
                      { name: 'isFutureKey', type: 'bool', versions: '0+' },
                    ],
                  },
                },
              ],
            },
          },
          { name: 'totalBytes', type: 'int64', versions: '4+', default: -1 },
          { name: 'usableBytes', type: 'int64', versions: '4+', default: -1 },
        ],
      },
    },
  ],
});

export type DescribeLogDirsRequest = RequestOf<typeof describeLogDirsApi>;
export type DescribeLogDirsResponse = ResponseOf<typeof describeLogDirsApi>;
