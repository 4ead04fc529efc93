// WriteTxnMarkers (api key 27): a transaction coordinator asks a partition leader to write
// COMMIT or ABORT markers for a producer. Kafka 4 serves v1 (v0 was removed in 4.0; v1 is the
// first flexible version) and v2 (adds TransactionVersion to each marker, which Lanes reads and
// ignores: the marker it writes is the same for every transaction version).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const writeTxnMarkersApi = defineApi({
  key: 27,
  name: 'WriteTxnMarkers',
  versions: '1-2',
  flexibleVersions: '1+',
  request: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int16', versions: '0+' },
          { name: 'transactionResult', type: 'bool', versions: '0+' },
          {
            name: 'topics',
            versions: '0+',
            type: {
              array: [
                { name: 'name', type: 'string', versions: '0+' },
                { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0+' },
              ],
            },
          },
          { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
          { name: 'transactionVersion', type: 'int8', versions: '2+', default: 0 },
        ],
      },
    },
  ],
  response: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          {
            name: 'topics',
            versions: '0+',
            type: {
              array: [
                { name: 'name', type: 'string', versions: '0+' },
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
      },
    },
  ],
});

export type WriteTxnMarkersRequest = RequestOf<typeof writeTxnMarkersApi>;
export type WriteTxnMarkersResponse = ResponseOf<typeof writeTxnMarkersApi>;
