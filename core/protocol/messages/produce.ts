// Produce (api key 0). v3 is the first version carrying RecordBatch v2 and the transactional id;
// v5 adds logStartOffset to the response, v8 per-record errors, v9 is the first flexible version,
// v10 adds the new leader's id and endpoint as tagged fields (KIP-951: filled only with
// NOT_LEADER_OR_FOLLOWER, which a single node never answers), v11 admits TRANSACTION_ABORTABLE and
// v12 lets a transaction add its partitions implicitly (KIP-890; clients use it only when the
// broker finalizes transaction.version 2, which Lanes does not advertise) and v13 (Kafka 4.1,
// KIP-516) names each topic by its id instead of its name, in the request and the response: an
// id the broker does not know is answered UNKNOWN_TOPIC_ID. acks = 0 requests get no response. Served from v3 as Kafka 4.x does (KIP-896): Lanes stores RecordBatch v2 only. The
// range must include v3 and v7, from which librdkafka turns on message format v2 and its group
// consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const produceApi = defineApi({
  key: 0,
  name: 'Produce',
  versions: '3-13',
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
          { name: 'topicName', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
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
          { name: 'topicName', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
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
                {
                  name: 'currentLeader',
                  versions: '10+',
                  taggedVersions: '10+',
                  tag: 0,
                  type: {
                    struct: [
                      { name: 'leaderId', type: 'int32', versions: '10+', default: -1 },
                      { name: 'leaderEpoch', type: 'int32', versions: '10+', default: -1 },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'nodeEndpoints',
      versions: '10+',
      taggedVersions: '10+',
      tag: 0,
      type: {
        array: [
          { name: 'nodeId', type: 'int32', versions: '10+' },
          { name: 'host', type: 'string', versions: '10+' },
          { name: 'port', type: 'int32', versions: '10+' },
          { name: 'rack', type: 'string', versions: '10+', nullableVersions: '10+', default: null },
        ],
      },
    },
  ],
});

/**
 * The last version naming topics by name: Lanes's own clients (the wire client, the CLI, the load
 * generator) produce at most at this version, since they do not track topic ids.
 */
export const produceByNameVersionMax = 12;

/** The first version naming topics by id (KIP-516). */
export const produceTopicIdsFromVersion = 13;

export type ProduceRequest = RequestOf<typeof produceApi>;
export type ProduceRequestTopic = ProduceRequest['topics'][number];
export type ProduceRequestPartition = ProduceRequestTopic['partitions'][number];
export type ProduceResponse = ResponseOf<typeof produceApi>;
export type ProduceResponseTopic = ProduceResponse['responses'][number];
export type ProduceResponsePartition = ProduceResponseTopic['partitions'][number];
