// The shape of our message tables: one MessageSchema per (api, request|response), listing its
// fields with the versions they exist in, the versions in which they may be null, and, for
// flexible versions, whether they travel as tagged fields. Tables are written once per API with
// `defineApi` (api_definition.ts), which builds both MessageSchemas; codec.ts interprets them and
// the TypeScript types of decoded bodies are inferred from the same tables (MessageValue below),
// so the description of a message exists exactly once.
//
// Version ranges are written as Kafka's schemas write them: '3+' (3 and later), '2-4' (2 to 4
// inclusive), '5' (only 5), 'none'. Adding a version is a table edit: widen the API's `versions`,
// add the fields that version introduced, and set `flexibleVersions`; compact encodings and tag
// sections follow from the tables.
//
// Naming: field names are Kafka's, camelCased, with two normalisations applied everywhere so that
// handlers read the same across APIs: a topic's name is `topicName` (Kafka's `Name`/`Topic` inside
// topic structs) and a partition's number is `partitionIndex` (Kafka's `Partition`).

import { assert } from '../assert.js';

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  /** Record batches received from a client: one view into the request frame. */
  | 'records'
  /** Record batches sent to a client: a list of views (e.g. log segments), written uncopied. */
  | 'recordChunks';

export interface ArrayType {
  /** Element type: a primitive, or the fields of a struct. */
  readonly array: PrimitiveType | readonly FieldSchema[];
}

export interface StructType {
  readonly struct: readonly FieldSchema[];
}

export type FieldType = PrimitiveType | ArrayType | StructType;

export type FieldDefault = boolean | number | string | null;

export interface FieldSchema {
  /** camelCase property name in decoded objects. */
  readonly name: string;
  readonly type: FieldType;
  /** Versions in which the field is on the wire; absent versions decode to the default. */
  readonly versions: string;
  /** Versions in which the field may be null (strings, bytes, records, arrays). */
  readonly nullableVersions?: string;
  /** Versions in which the field travels in the tag section instead of in line. */
  readonly taggedVersions?: string;
  readonly tag?: number;
  /** Kafka's default for the field (absent, or tagged and not sent); type-based otherwise. */
  readonly default?: FieldDefault;
}

export interface MessageSchema {
  readonly apiKey: number;
  /** Kafka's API name, e.g. 'Produce'. */
  readonly name: string;
  readonly kind: 'request' | 'response';
  /** The versions this codec serves (a subset of Kafka's validVersions): the API's, from defineApi. */
  readonly versions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSchema[];
}

// Version ranges.

export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for open ranges ('3+'). */
  readonly max: number;
}

const noVersions: VersionRange = { min: 1, max: 0 };

export function parseVersions(text: string): VersionRange {
  if (text === 'none') return noVersions;
  let match = /^(\d+)\+$/.exec(text);
  if (match !== null) return { min: Number(match[1]), max: Infinity };
  match = /^(\d+)-(\d+)$/.exec(text);
  if (match !== null) {
    const range = { min: Number(match[1]), max: Number(match[2]) };
    assert(range.min <= range.max, `empty version range '${text}'`);
    return range;
  }
  match = /^(\d+)$/.exec(text);
  assert(match !== null, `malformed version range '${text}'`);
  return { min: Number(match[1]), max: Number(match[1]) };
}

export function inVersions(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

// Types of decoded values, inferred from the tables.

interface PrimitiveValues {
  bool: boolean;
  int8: number;
  int16: number;
  uint16: number;
  int32: number;
  uint32: number;
  int64: number;
  float64: number;
  uuid: Uint8Array;
  string: string;
  bytes: Uint8Array;
  records: Uint8Array;
  recordChunks: Uint8Array[];
}

type ElementValue<Element> = Element extends PrimitiveType
  ? PrimitiveValues[Element]
  : Element extends readonly FieldSchema[]
    ? StructValue<Element>
    : never;

type TypeValue<Type> = Type extends PrimitiveType
  ? PrimitiveValues[Type]
  : Type extends { readonly array: infer Element }
    ? ElementValue<Element>[]
    : Type extends { readonly struct: infer Fields extends readonly FieldSchema[] }
      ? StructValue<Fields>
      : never;

type FieldValue<Field extends FieldSchema> = Field extends { readonly nullableVersions: string }
  ? TypeValue<Field['type']> | null
  : TypeValue<Field['type']>;

/** The plain object a struct's fields decode to (every field present, in every version). */
export type StructValue<Fields extends readonly FieldSchema[]> = {
  -readonly [Field in Fields[number] as Field['name']]: FieldValue<Field>;
};

/** The plain object a message decodes to. */
export type MessageValue<Schema extends MessageSchema> = StructValue<Schema['fields']>;
