// Kafka's api keys for the APIs Lanes serves, by Kafka's API names (ApiKey.Produce === 0),
// derived from the definitions in messages/registry.ts so that adding an API adds its key.

import { apiDefinitions, type ApiKeyNumber, type ApiName, type DefinedApi } from './messages/registry.js';

export type { ApiKeyNumber, ApiName };

export const ApiKey = Object.freeze(Object.fromEntries(apiDefinitions.map((api) => [api.name, api.key]))) as {
  readonly [Api in DefinedApi as Api['name']]: Api['key'];
};
