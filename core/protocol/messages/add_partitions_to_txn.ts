// AddPartitionsToTxn (api key 24), v0–v3: the versions clients send (v4+ batch several
// transactions and are sent by brokers, to verify a produce, which a single node has no need of).
// v2 lets the broker answer PRODUCER_FENCED; v3 is the first flexible version.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const addPartitionsToTxnApi = defineApi({
  key: 24,
  name: 'AddPartitionsToTxn',
  versions: '0-3',
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0-3' },
    { name: 'producerId', type: 'int64', versions: '0-3' },
    { name: 'producerEpoch', type: 'int16', versions: '0-3' },
    {
      name: 'topics',
      versions: '0-3',
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
    {
      name: 'results',
      versions: '0-3',
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

export type AddPartitionsToTxnRequest = RequestOf<typeof addPartitionsToTxnApi>;
export type AddPartitionsToTxnResponse = ResponseOf<typeof addPartitionsToTxnApi>;
