// ApiVersions. Answered from the handler table, so what is advertised is exactly what is
// served: each API's versions as its definition (core/protocol/messages/<api>.ts) states them. A
// version above ApiVersions' own never reaches here: the connection answers it with the v0-shaped
// error body (codec.ts encodeApiVersionsV0ErrorFrame) before decoding the body.
//
// v3+ also carries feature flags (KIP-584). Lanes has one, `transaction.version`: supported 0–2
// and finalized at the broker's level (core/txn/transaction_version.ts), which is what tells a
// client it may use transaction version 2. Before v4 a client takes a supported range to start
// at 1, and a feature whose range starts at 0 is left out of `supportedFeatures` there, as Kafka
// does (KIP-1022, KAFKA-17011); its finalized level is still answered.
import { ErrorCode } from '../errors.js';
import { transactionVersionDefault, transactionVersionFeature, transactionVersionMax, transactionVersionMin } from '../txn/transaction_version.js';
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
    async handle(ctx) {
      const level = ctx.settings.transactionVersion ?? transactionVersionDefault;
      const omitSupported = ctx.apiVersion < 4 && transactionVersionMin === 0;
      const apiKeys: ApiVersionsResponseKey[] = advertised().map((api) => ({
        apiKey: api.apiKey,
        minVersion: api.versionMin,
        maxVersion: api.versionMax,
      }));
      return {
        errorCode: ErrorCode.NONE,
        apiKeys,
        throttleTimeMs: 0,
        supportedFeatures: omitSupported
          ? []
          : [{ name: transactionVersionFeature, minVersion: transactionVersionMin, maxVersion: transactionVersionMax }],
        // Features never change while a broker runs: one epoch (a client keeps the highest it saw).
        finalizedFeaturesEpoch: 0,
        // Kafka finalizes a level as both bounds; level 0 is not finalized at all (absent).
        finalizedFeatures: level > 0 ? [{ name: transactionVersionFeature, maxVersionLevel: level, minVersionLevel: level }] : [],
        zkMigrationReady: false,
      };
    },
  });
}
