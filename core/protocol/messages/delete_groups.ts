// DeleteGroups (api key 42). Only Empty groups can be deleted (NON_EMPTY_GROUP otherwise).

import { defineMessage, type MessageValue } from '../schema.js';

export const deleteGroupsRequestSchema = defineMessage({
  apiKey: 42,
  name: 'DeleteGroups',
  kind: 'request',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [{ name: 'groupsNames', type: { array: 'string' }, versions: '0+' }],
});

export const deleteGroupsResponseSchema = defineMessage({
  apiKey: 42,
  name: 'DeleteGroups',
  kind: 'response',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [
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

export type DeleteGroupsRequest = MessageValue<typeof deleteGroupsRequestSchema>;
export type DeleteGroupsResponse = MessageValue<typeof deleteGroupsResponseSchema>;
