// AddPartitionsToTxn (api key 24), v0–v5. v2 lets the broker answer PRODUCER_FENCED; v3 is the
// first flexible version. Clients send v0–v3 (one transaction per request). v4 (KIP-890 part 1)
// is the form brokers send a transaction coordinator: several transactions in one request, each
// with VerifyOnly (check the partitions are in the transaction instead of adding them), answered
// per transaction with a top-level error code; v5 adds TRANSACTION_ABORTABLE. A single node never
// sends it, but serves it as Kafka does.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

const topicFields = [
  { name: 'topicName', type: 'string', versions: '0+' },
  { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
] as const;

const topicResultFields = [
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
] as const;

/** The first version in the brokers' batched form; clients send the versions below it. */
export const addPartitionsToTxnBatchedFromVersion = 4;
export const addPartitionsToTxnClientVersionMax = addPartitionsToTxnBatchedFromVersion - 1;

export const addPartitionsToTxnApi = defineApi({
  key: 24,
  name: 'AddPartitionsToTxn',
  versions: '0-5',
  flexibleVersions: '3+',
  request: [
    {
      name: 'transactions',
      versions: '4+',
      type: {
        array: [
          { name: 'transactionalId', type: 'string', versions: '4+' },
          { name: 'producerId', type: 'int64', versions: '4+' },
          { name: 'producerEpoch', type: 'int16', versions: '4+' },
          { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
          { name: 'topics', versions: '4+', type: { array: topicFields } },
        ],
      },
    },
    { name: 'transactionalId', type: 'string', versions: '0-3' },
    { name: 'producerId', type: 'int64', versions: '0-3' },
    { name: 'producerEpoch', type: 'int16', versions: '0-3' },
    { name: 'topics', versions: '0-3', type: { array: topicFields } },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '4+' },
    {
      name: 'resultsByTransaction',
      versions: '4+',
      type: {
        array: [
          { name: 'transactionalId', type: 'string', versions: '4+' },
          { name: 'topicResults', versions: '4+', type: { array: topicResultFields } },
        ],
      },
    },
    { name: 'results', versions: '0-3', type: { array: topicResultFields } },
  ],
});

export type AddPartitionsToTxnRequest = RequestOf<typeof addPartitionsToTxnApi>;
export type AddPartitionsToTxnResponse = ResponseOf<typeof addPartitionsToTxnApi>;
export type AddPartitionsToTxnTopic = AddPartitionsToTxnRequest['topics'][number];
export type AddPartitionsToTxnTopicResult = AddPartitionsToTxnResponse['results'][number];
