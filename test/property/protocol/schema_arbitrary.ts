// fast-check arbitraries for message bodies, generated from the same tables the codec reads:
// for a version, a field present on the wire gets an arbitrary value of its type (null only where
// the version allows it); an absent field gets its default, which is what decoding must produce.
// Defaults come from test/support/schema_defaults.ts, recomputed from the table rather than
// taken from the codec, so the codec's defaulting is checked, not assumed.

import fc from 'fast-check';
import { inVersions, parseVersions, type FieldSchema, type FieldType, type MessageSchema, type PrimitiveType } from '../../../core/protocol/schema.js';
import { defaultOf } from '../../support/schema_defaults.js';

type Value = unknown;

const strings = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const bytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  // Above the writer's copy threshold, so the by-reference path runs too.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 513, maxLength: 600 }) },
);

function primitive(type: PrimitiveType): fc.Arbitrary<Value> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -0x80, max: 0x7f });
    case 'int16':
      return fc.integer({ min: -0x8000, max: 0x7fff });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case 'int64':
      return fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.maxSafeInteger());
    case 'float64':
      return fc.double({ noNaN: true });
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 });
    case 'string':
      return strings;
    case 'bytes':
    case 'records':
      return bytes;
    case 'recordChunks':
      return fc.array(bytes, { maxLength: 3 });
  }
}

function typed(type: FieldType, version: number): fc.Arbitrary<Value> {
  if (typeof type === 'string') return primitive(type);
  if ('array' in type) {
    const element = typeof type.array === 'string' ? primitive(type.array) : struct(type.array, version);
    return fc.array(element, { maxLength: 3 });
  }
  return struct(type.struct, version);
}

function struct(fields: readonly FieldSchema[], version: number): fc.Arbitrary<Record<string, Value>> {
  const model: Record<string, fc.Arbitrary<Value>> = {};
  for (const field of fields) {
    if (!inVersions(parseVersions(field.versions), version)) {
      model[field.name] = fc.constant(defaultOf(field));
      continue;
    }
    const value = typed(field.type, version);
    const nullable = field.nullableVersions !== undefined && inVersions(parseVersions(field.nullableVersions), version);
    model[field.name] = nullable ? fc.option(value, { nil: null, freq: 4 }) : value;
  }
  return fc.record(model);
}

export function messageArbitrary(schema: MessageSchema, version: number): fc.Arbitrary<Record<string, Value>> {
  return struct(schema.fields, version);
}

/**
 * Record chunk lists decode as one view however many chunks were encoded; compare their bytes.
 * Returns a copy of `value` with each chunk list replaced by its concatenation.
 */
export function normalizeChunks(fields: readonly FieldSchema[], value: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const field of fields) {
    const current = value[field.name];
    const type = field.type;
    if (type === 'recordChunks') {
      out[field.name] = current === null ? null : concat(current as Uint8Array[]);
    } else if (typeof type !== 'string' && 'array' in type && typeof type.array !== 'string' && Array.isArray(current)) {
      const elementFields = type.array;
      out[field.name] = current.map((element) => normalizeChunks(elementFields, element as Record<string, Value>));
    } else if (typeof type !== 'string' && 'struct' in type) {
      out[field.name] = current === null ? null : normalizeChunks(type.struct, current as Record<string, Value>); // a nullable struct
    } else {
      out[field.name] = current;
    }
  }
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}
