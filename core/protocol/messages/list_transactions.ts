// ListTransactions (api key 66), v0–v2 (flexible): transactional ids with their producer id and
// state, filtered by state and producer id; v1 adds a duration filter (open longer than), v2 a
// transactional id pattern (KIP-1152: a Java regular expression the whole id must match; null or
// empty lists every id).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listTransactionsApi = defineApi({
  key: 66,
  name: 'ListTransactions',
  versions: '0-2',
  flexibleVersions: '0+',
  request: [
    { name: 'stateFilters', type: { array: 'string' }, versions: '0+' },
    { name: 'producerIdFilters', type: { array: 'int64' }, versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1 },
    { name: 'transactionalIdPattern', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: { array: 'string' }, versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: [
          { name: 'transactionalId', type: 'string', versions: '0+' },
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'transactionState', type: 'string', versions: '0+' },
        ],
      },
    },
  ],
});

export type ListTransactionsRequest = RequestOf<typeof listTransactionsApi>;
export type ListTransactionsResponse = ResponseOf<typeof listTransactionsApi>;
