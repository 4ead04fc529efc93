// ListGroups (api key 16). The request has no fields before v4's state filter.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listGroupsApi = defineApi({
  key: 16,
  name: 'ListGroups',
  versions: '0-2',
  flexibleVersions: '3+',
  request: [],
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
        ],
      },
    },
  ],
});

export type ListGroupsRequest = RequestOf<typeof listGroupsApi>;
export type ListGroupsResponse = ResponseOf<typeof listGroupsApi>;
