// EndTxn (api key 26), v0–v4. v2 lets the broker answer PRODUCER_FENCED; v3 is the first flexible
// version; v4 adds TRANSACTION_ABORTABLE (never answered here). v5 (KIP-890 part 2: an epoch bump
// on every transaction, answered in the response) is not served.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const endTxnApi = defineApi({
  key: 26,
  name: 'EndTxn',
  versions: '0-4',
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
  ],
});

export type EndTxnRequest = RequestOf<typeof endTxnApi>;
export type EndTxnResponse = ResponseOf<typeof endTxnApi>;
