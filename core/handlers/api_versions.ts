// ApiVersions. Answered from the handler table, so what is advertised is exactly what is
// served: each API's versions as its definition (core/protocol/messages/<api>.ts) states them. A
// version above ApiVersions' own never reaches here: the connection answers it with the v0-shaped
// error body (codec.ts encodeApiVersionsV0ErrorFrame) before decoding the body.
import { ErrorCode } from '../errors.js';
import { apiVersionsApi, type ApiVersionsResponseKey } from '../protocol/messages/api_versions.js';
import { defineHandler } from './handler.js';

export interface AdvertisedApi {
  readonly apiKey: number;
  readonly versionMin: number;
  readonly versionMax: number;
}

/** Built by handler_table.ts with the table's entries (avoids an import cycle). */
export function apiVersionsHandler(advertised: () => readonly AdvertisedApi[]) {
  return defineHandler({
    api: apiVersionsApi,
    async handle() {
      const apiKeys: ApiVersionsResponseKey[] = advertised().map((api) => ({
        apiKey: api.apiKey,
        minVersion: api.versionMin,
        maxVersion: api.versionMax,
      }));
      return {
        errorCode: ErrorCode.NONE,
        apiKeys,
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1,
        finalizedFeatures: [],
        zkMigrationReady: false,
      };
    },
  });
}
