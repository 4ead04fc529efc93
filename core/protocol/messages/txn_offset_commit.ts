// TxnOffsetCommit (api key 28), v0–v5. v2 adds each offset's leader epoch; v3 (flexible) the
// member id, generation and group instance id of the consumer whose offsets these are (KIP-447);
// v4 adds TRANSACTION_ABORTABLE (never answered here); v5, the same fields, is transaction
// version 2 (KIP-890 part 2): the group joins the transaction here, without AddOffsetsToTxn.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const txnOffsetCommitApi = defineApi({
  key: 28,
  name: 'TxnOffsetCommit',
  versions: '0-5',
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'memberId', type: 'string', versions: '3+', default: '' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
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
                { name: 'committedOffset', type: 'int64', versions: '0+' },
                { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
                { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
              ],
            },
          },
        ],
      },
    },
  ],
});

export type TxnOffsetCommitRequest = RequestOf<typeof txnOffsetCommitApi>;
export type TxnOffsetCommitResponse = ResponseOf<typeof txnOffsetCommitApi>;
