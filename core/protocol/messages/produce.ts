// Produce (api key 0). v3 is the first version carrying RecordBatch v2 and the transactional id;
// v5 adds logStartOffset to the response, v8 per-record errors. acks = 0 requests get no response.

import { defineMessage, type MessageValue } from '../schema.js';

export const produceRequestSchema = defineMessage({
  apiKey: 0,
  name: 'Produce',
  kind: 'request',
  versions: '3-8',
  flexibleVersions: '9+',
  fields: [
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
});

export const produceResponseSchema = defineMessage({
  apiKey: 0,
  name: 'Produce',
  kind: 'response',
  versions: '3-8',
  flexibleVersions: '9+',
  fields: [
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

export type ProduceRequest = MessageValue<typeof produceRequestSchema>;
export type ProduceRequestTopic = ProduceRequest['topics'][number];
export type ProduceRequestPartition = ProduceRequestTopic['partitions'][number];
export type ProduceResponse = MessageValue<typeof produceResponseSchema>;
export type ProduceResponseTopic = ProduceResponse['responses'][number];
export type ProduceResponsePartition = ProduceResponseTopic['partitions'][number];
