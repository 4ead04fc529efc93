// One Kafka API as Lanes serves it: its key, Kafka's name, the versions served, and the request
// and response tables. This is the single statement of each of those facts: the codec compiles
// exactly these versions, ApiVersions advertises exactly these ranges, and the connection
// dispatches exactly these versions to the API's handler (core/handlers/). A version Lanes does
// not serve is therefore never half-supported (decodable but not advertised, or the reverse).
//
// Each messages/<api>.ts file holds one `defineApi`; messages/registry.ts lists them. The
// definition carries no handler, so the codec stays usable without the broker (the wire client,
// CLI, load generator and tests import it alone); core/handlers/ pairs each definition with its
// handler.

import { assert } from '../assert.js';
import { parseVersions, type FieldSchema, type MessageSchema, type MessageValue } from './schema.js';

export interface ApiSpec {
  readonly key: number;
  /** Kafka's API name, e.g. 'Produce'. */
  readonly name: string;
  /** The versions Lanes serves (a bounded subset of Kafka's validVersions): '3-8'. */
  readonly versions: string;
  /** Kafka's flexibleVersions; Kafka uses the same for request and response. */
  readonly flexibleVersions: string;
  readonly request: readonly FieldSchema[];
  readonly response: readonly FieldSchema[];
}

/** One direction's table, as the codec compiles it (derived from the spec). */
export interface ApiMessage<Key extends number, Name extends string, Kind extends 'request' | 'response', Fields extends readonly FieldSchema[]>
  extends MessageSchema {
  readonly apiKey: Key;
  readonly name: Name;
  readonly kind: Kind;
  readonly fields: Fields;
}

export interface ApiDefinition<Spec extends ApiSpec = ApiSpec> {
  readonly key: Spec['key'];
  readonly name: Spec['name'];
  /** The served range, parsed from `versions`: inclusive, both bounded. */
  readonly versionMin: number;
  readonly versionMax: number;
  readonly request: ApiMessage<Spec['key'], Spec['name'], 'request', Spec['request']>;
  readonly response: ApiMessage<Spec['key'], Spec['name'], 'response', Spec['response']>;
}

/** The decoded request body of an API, inferred from its table. */
export type RequestOf<Api extends ApiDefinition> = MessageValue<Api['request']>;
/** The decoded response body of an API, inferred from its table. */
export type ResponseOf<Api extends ApiDefinition> = MessageValue<Api['response']>;

/** Declares an API, keeping the tables' literal types so that body types can be inferred. */
export function defineApi<const Spec extends ApiSpec>(spec: Spec): ApiDefinition<Spec> {
  const range = parseVersions(spec.versions);
  assert(range.min <= range.max && Number.isFinite(range.max), `${spec.name}: served versions '${spec.versions}' must be a bounded, non-empty range`);
  const message = <Kind extends 'request' | 'response', Fields extends readonly FieldSchema[]>(kind: Kind, fields: Fields) => ({
    apiKey: spec.key as Spec['key'],
    name: spec.name as Spec['name'],
    kind,
    versions: spec.versions,
    flexibleVersions: spec.flexibleVersions,
    fields,
  });
  return {
    key: spec.key,
    name: spec.name,
    versionMin: range.min,
    versionMax: range.max,
    request: message('request', spec.request as Spec['request']),
    response: message('response', spec.response as Spec['response']),
  };
}

export function servesVersion(api: ApiDefinition, version: number): boolean {
  return version >= api.versionMin && version <= api.versionMax;
}
