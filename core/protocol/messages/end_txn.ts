// EndTxn (api key 26), v0–v5. v2 lets the broker answer PRODUCER_FENCED; v3 is the first flexible
// version; v4 adds TRANSACTION_ABORTABLE (never answered here). v5 is transaction version 2
// (KIP-890 part 2): every transaction ends with an epoch bump, and the response names the producer
// id and epoch the producer goes on with.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const endTxnApi = defineApi({
  key: 26,
  name: 'EndTxn',
  versions: '0-5',
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '5+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1 },
  ],
});

export type EndTxnRequest = RequestOf<typeof endTxnApi>;
export type EndTxnResponse = ResponseOf<typeof endTxnApi>;
