// Metadata (api key 3). In v0 an empty topic list means "all topics"; from v1 null means all and
// empty means none. v1 adds controller_id (kafkajs admin needs it), v4 auto-creation, v7 leader
// epochs, v8 authorized-operation bit fields, v9 is the first flexible version, v10 answers topic
// ids (KIP-516), v11 drops the cluster's authorized operations (DescribeCluster has them), v12
// lets a client ask by topic id (name null), answered UNKNOWN_TOPIC_ID with a null name when
// no topic has it; v13 adds a top-level error code, which only a broker that wants the client to
// bootstrap again sets (REBOOTSTRAP_REQUIRED, KIP-1102): Lanes answers 0. Served from v0, as
// Kafka 4.x does.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

/** Kafka's "not requested" value for the authorized-operations bit fields. */
export const authorizedOperationsOmitted = -2147483648;

export const metadataApi = defineApi({
  key: 3,
  name: 'Metadata',
  versions: '0-13',
  flexibleVersions: '9+',
  request: [
    {
      name: 'topics',
      versions: '0+',
      nullableVersions: '1+',
      type: {
        array: [
          // Kafka's schema has ids from v10, but only v12 may use them (and a null name).
          { name: 'topicId', type: 'uuid', versions: '10+' },
          { name: 'topicName', type: 'string', versions: '0+', nullableVersions: '10+' },
        ],
      },
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'brokers',
      versions: '0+',
      type: {
        array: [
          { name: 'nodeId', type: 'int32', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
          { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
        ],
      },
    },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'topicName', type: 'string', versions: '0+', nullableVersions: '12+' },
          { name: 'topicId', type: 'uuid', versions: '10+' },
          { name: 'isInternal', type: 'bool', versions: '1+', default: false },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'leaderId', type: 'int32', versions: '0+' },
                { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
                { name: 'replicaNodes', type: { array: 'int32' }, versions: '0+' },
                { name: 'isrNodes', type: { array: 'int32' }, versions: '0+' },
                { name: 'offlineReplicas', type: { array: 'int32' }, versions: '5+' },
              ],
            },
          },
          { name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: authorizedOperationsOmitted },
        ],
      },
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '8-10', default: authorizedOperationsOmitted },
    { name: 'errorCode', type: 'int16', versions: '13+' },
  ],
});

export type MetadataRequest = RequestOf<typeof metadataApi>;
export type MetadataResponse = ResponseOf<typeof metadataApi>;
export type MetadataResponseBroker = MetadataResponse['brokers'][number];
export type MetadataResponseTopic = MetadataResponse['topics'][number];
export type MetadataResponsePartition = MetadataResponseTopic['partitions'][number];
