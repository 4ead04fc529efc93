// ListGroups (api key 16). The request has no fields before v4's state filter; v3 is the first
// flexible version, v4 adds the states filter and each group's state (KIP-518), v5 the types
// filter and each group's type, "classic" or "consumer" (KIP-848).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listGroupsApi = defineApi({
  key: 16,
  name: 'ListGroups',
  versions: '0-5',
  flexibleVersions: '3+',
  request: [
    { name: 'statesFilter', type: { array: 'string' }, versions: '4+' },
    { name: 'typesFilter', type: { array: 'string' }, versions: '5+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '4+', default: '' },
          { name: 'groupType', type: 'string', versions: '5+', default: '' },
        ],
      },
    },
  ],
});

export type ListGroupsRequest = RequestOf<typeof listGroupsApi>;
export type ListGroupsResponse = ResponseOf<typeof listGroupsApi>;
