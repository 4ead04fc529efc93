// DescribeAcls (api key 29): the ACL bindings one filter matches, grouped by resource pattern.
// Served from v1 as Kafka 4.x does (KIP-896 dropped v0, which had no pattern types); v2 is the
// first flexible version, v3 adds the USER resource type. Codes: core/acl/acl.ts.

import { defineApi } from '../api_definition.js';

export const describeAclsApi = defineApi({
  key: 29,
  name: 'DescribeAcls',
  versions: '1-3',
  flexibleVersions: '2+',
  request: [
    { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
    { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
    { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'operation', type: 'int8', versions: '0+' },
    { name: 'permissionType', type: 'int8', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
          {
            name: 'acls',
            versions: '0+',
            type: {
              array: [
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
