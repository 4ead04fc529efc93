// ListGroups (api key 16). The request has no fields before v4's state filter.

import { defineMessage, type MessageValue } from '../schema.js';

export const listGroupsRequestSchema = defineMessage({
  apiKey: 16,
  name: 'ListGroups',
  kind: 'request',
  versions: '0-2',
  flexibleVersions: '3+',
  fields: [],
});

export const listGroupsResponseSchema = defineMessage({
  apiKey: 16,
  name: 'ListGroups',
  kind: 'response',
  versions: '0-2',
  flexibleVersions: '3+',
  fields: [
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

export type ListGroupsRequest = MessageValue<typeof listGroupsRequestSchema>;
export type ListGroupsResponse = MessageValue<typeof listGroupsResponseSchema>;
