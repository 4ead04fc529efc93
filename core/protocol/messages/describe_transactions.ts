// DescribeTransactions (api key 65), v0 (flexible): the state of transactional ids, for tools
// (kafka-transactions.sh describe, Admin.describeTransactions).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const describeTransactionsApi = defineApi({
  key: 65,
  name: 'DescribeTransactions',
  versions: '0',
  flexibleVersions: '0+',
  request: [{ name: 'transactionalIds', type: { array: 'string' }, versions: '0+' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'transactionalId', type: 'string', versions: '0+' },
          { name: 'transactionState', type: 'string', versions: '0+' },
          { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
          { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int32', versions: '0+' },
          {
            name: 'topics',
            versions: '0+',
            type: {
              array: [
                { name: 'topicName', type: 'string', versions: '0+' },
                { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type DescribeTransactionsRequest = RequestOf<typeof describeTransactionsApi>;
export type DescribeTransactionsResponse = ResponseOf<typeof describeTransactionsApi>;
