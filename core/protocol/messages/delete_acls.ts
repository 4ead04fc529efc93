// DeleteAcls (api key 31): removes the ACL bindings each filter matches and answers them, per
// filter in request order. Served from v1 as Kafka 4.x does (KIP-896 dropped v0); v2 is the
// first flexible version, v3 adds the USER resource type. Codes: core/acl/acl.ts.

import { defineApi } from '../api_definition.js';

export const deleteAclsApi = defineApi({
  key: 31,
  name: 'DeleteAcls',
  versions: '1-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'filters',
      versions: '0+',
      type: {
        array: [
          { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
          { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
          { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'filterResults',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'matchingAcls',
            versions: '0+',
            type: {
              array: [
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
                { name: 'resourceType', type: 'int8', versions: '0+' },
                { name: 'resourceName', type: 'string', versions: '0+' },
                { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
                { name: 'principal', type: 'string', versions: '0+' },
                { name: 'host', type: 'string', versions: '0+' },
                { name: 'operation', type: 'int8', versions: '0+' },
                { name: 'permissionType', type: 'int8', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
});
