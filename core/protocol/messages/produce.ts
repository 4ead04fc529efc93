// Produce (api key 0). v3 is the first version carrying RecordBatch v2 and the transactional id;
// v5 adds logStartOffset to the response, v8 per-record errors. acks = 0 requests get no response.
// Served from v3: Lanes stores RecordBatch v2 only. The range must include v3 and v7, from which
// librdkafka turns on message format v2 and its group consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const produceApi = defineApi({
  key: 0,
  name: 'Produce',
  versions: '3-8',
  flexibleVersions: '9+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '0+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
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
                // A view into the request frame: the batches are validated and stored uncopied.
                { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    {
      name: 'responses',
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
                { name: 'baseOffset', type: 'int64', versions: '0+' },
                { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
                { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                {
                  name: 'recordErrors',
                  versions: '8+',
                  type: {
                    array: [
                      { name: 'batchIndex', type: 'int32', versions: '8+' },
                      { name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
                    ],
                  },
                },
                { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
              ],
            },
          },
        ],
      },
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  ],
});

export type ProduceRequest = RequestOf<typeof produceApi>;
export type ProduceRequestTopic = ProduceRequest['topics'][number];
export type ProduceRequestPartition = ProduceRequestTopic['partitions'][number];
export type ProduceResponse = ResponseOf<typeof produceApi>;
export type ProduceResponseTopic = ProduceResponse['responses'][number];
export type ProduceResponsePartition = ProduceResponseTopic['partitions'][number];
