// DeleteGroups (api key 42). Only Empty groups can be deleted (NON_EMPTY_GROUP otherwise). v1
// only changes throttling; v2 is the first flexible version.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const deleteGroupsApi = defineApi({
  key: 42,
  name: 'DeleteGroups',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [{ name: 'groupsNames', type: { array: 'string' }, versions: '0+' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    },
  ],
});

export type DeleteGroupsRequest = RequestOf<typeof deleteGroupsApi>;
export type DeleteGroupsResponse = ResponseOf<typeof deleteGroupsApi>;
