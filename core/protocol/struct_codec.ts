// Turns a message table (schema.ts) into a decoder and an encoder for one version.
//
// Each (message, version) is compiled once into a flat list of small closures, one per field,
// with every version question (is the field present, nullable, tagged; compact or classic
// encoding) answered at compile time. Decoding then runs the list without looking at the table
// again. Compilation also checks the tables (a tagged field needs a tag, array elements take at
// least one byte, …) so that a malformed table fails when the module loads, not on the wire.
//
// Decoded objects have every field of the table, in table order (so they share one hidden class);
// a field that does not exist in the decoded version holds its default. Encoding ignores fields
// that do not exist in the encoded version.

import { assert, assertNever } from '../assert.js';
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import {
  inVersions,
  parseVersions,
  type FieldDefault,
  type FieldSchema,
  type FieldType,
  type MessageSchema,
  type PrimitiveType,
} from './schema.js';
import { Writer } from './writer.js';

export type StructObject = Record<string, unknown>;

export interface ValueCodec {
  decode(reader: Reader): unknown;
  encode(writer: Writer, value: unknown): void;
  /** The fewest bytes any encoding of this value takes (bounds array counts before looping). */
  readonly bytesMin: number;
}

export interface StructCodec {
  decode(reader: Reader): StructObject;
  encode(writer: Writer, value: StructObject): void;
  readonly bytesMin: number;
}

interface CompiledField {
  readonly name: string;
  readonly codec: ValueCodec;
  readonly makeDefault: () => unknown;
  readonly isDefault: (value: unknown) => boolean;
}

interface TaggedField extends CompiledField {
  readonly tag: number;
}

const absentCodec: ValueCodec = {
  bytesMin: 0,
  decode: () => assert(false, 'absent fields are not decoded'),
  encode: () => assert(false, 'absent fields are not encoded'),
};

/** Compiles the body of `schema` at `version`. */
export function compileMessage(schema: MessageSchema, version: number): StructCodec {
  assert(inVersions(parseVersions(schema.versions), version), `${schema.name} ${schema.kind} v${version} is not served`);
  const flexible = inVersions(parseVersions(schema.flexibleVersions), version);
  return compileStruct(schema.fields, version, flexible, `${schema.name}${schema.kind === 'request' ? 'Request' : 'Response'}`);
}

function compileStruct(fields: readonly FieldSchema[], version: number, flexible: boolean, path: string): StructCodec {
  const names = new Set<string>();
  // Every field, in table order: `inline` fields are read from the wire, others start at their
  // default (tagged ones may then be overwritten from the tag section).
  const all: { field: CompiledField; inline: boolean }[] = [];
  const tagged: TaggedField[] = [];
  let bytesMin = flexible ? 1 : 0; // the tag section's count

  for (const field of fields) {
    const fieldPath = `${path}.${field.name}`;
    assert(!names.has(field.name), `${fieldPath} is declared twice`);
    // A literal's "__proto__" key would set the prototype (compileFieldReader), not a field.
    assert(field.name !== '__proto__', `${fieldPath}: __proto__ is not a field name`);
    names.add(field.name);
    const present = inVersions(parseVersions(field.versions), version);
    const nullable = field.nullableVersions !== undefined && inVersions(parseVersions(field.nullableVersions), version);
    const isTagged =
      present && flexible && field.taggedVersions !== undefined && inVersions(parseVersions(field.taggedVersions), version);
    if (field.taggedVersions !== undefined) {
      assert(field.tag !== undefined && Number.isInteger(field.tag) && field.tag >= 0, `${fieldPath} has tagged versions but no tag`);
    }
    const compiled: CompiledField = {
      name: field.name,
      // A field absent from this version is never read or written, only defaulted.
      codec: present ? compileType(field.type, version, flexible, nullable, fieldPath) : absentCodec,
      makeDefault: defaultFactory(field, fieldPath),
      isDefault: (value) => isDefaultValue(field, value),
    };
    if (isTagged) {
      const tag = field.tag as number;
      assert(!tagged.some((other) => other.tag === tag), `${fieldPath} reuses tag ${tag}`);
      tagged.push({ ...compiled, tag });
      all.push({ field: compiled, inline: false });
    } else {
      all.push({ field: compiled, inline: present });
      if (present) bytesMin += compiled.codec.bytesMin;
    }
  }
  tagged.sort((left, right) => left.tag - right.tag);
  const taggedByTag = new Map(tagged.map((field) => [field.tag, field]));
  const inlineFields = all.filter((entry) => entry.inline).map((entry) => entry.field);

  const readFields = compileFieldReader(all);
  const decode = (reader: Reader): StructObject => {
    const value = readFields(reader);
    if (flexible) {
      if (taggedByTag.size === 0) {
        reader.readTaggedFields();
      } else {
        reader.readTaggedFields((tag, fieldReader) => {
          const field = taggedByTag.get(tag);
          if (field === undefined) return false;
          value[field.name] = field.codec.decode(fieldReader);
          return true;
        });
      }
    }
    return value;
  };

  const encode = (writer: Writer, value: StructObject): void => {
    for (let index = 0; index < inlineFields.length; index++) {
      const field = inlineFields[index];
      field.codec.encode(writer, value[field.name]);
    }
    if (!flexible) return;
    if (tagged.length === 0) {
      writer.writeEmptyTaggedFields();
      return;
    }
    // Tagged fields holding their default are left out, as Kafka does.
    const toWrite = tagged.filter((field) => !field.isDefault(value[field.name]));
    writer.writeUnsignedVarint(toWrite.length);
    for (const field of toWrite) {
      const fieldWriter = new Writer(64);
      field.codec.encode(fieldWriter, value[field.name]);
      writer.writeUnsignedVarint(field.tag);
      writer.writeUnsignedVarint(fieldWriter.byteLength);
      writer.writeWriter(fieldWriter);
    }
  };

  return { decode, encode, bytesMin };
}

/**
 * Builds one object literal with every field, in table order: `{ "a": read0(reader), "b":
 * default1(), … }`. A literal is allocated at its final size with its final shape, where adding
 * fields one by one to `{}` grows the property store and walks shape transitions for every
 * struct decoded (Produce decoding on the broker's main thread: bench/load at 50 k records/s).
 * Property values are evaluated in source order, so fields are read in wire order. The names
 * come from our own tables and are quoted with JSON.stringify; the code holds no wire data.
 */
function compileFieldReader(all: readonly { field: CompiledField; inline: boolean }[]): (reader: Reader) => StructObject {
  const parts = all.map(({ field, inline }, index) => `${JSON.stringify(field.name)}: ${inline ? `codecs[${index}].decode(reader)` : `defaults[${index}]()`}`);
  const codecs = all.map(({ field }) => field.codec);
  const defaults = all.map(({ field }) => field.makeDefault);
  // Generated once per table and version when the codec module loads, from table names only.
  const factory = new Function('codecs', 'defaults', `return function readFields(reader) { return { ${parts.join(', ')} }; };`) as (
    codecs: readonly ValueCodec[],
    defaults: readonly (() => unknown)[],
  ) => (reader: Reader) => StructObject;
  return factory(codecs, defaults);
}

function compileType(type: FieldType, version: number, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  if (typeof type === 'string') return compilePrimitive(type, flexible, nullable, path);
  if ('array' in type) {
    const element: ValueCodec =
      typeof type.array === 'string'
        ? compilePrimitive(type.array, flexible, false, `${path}[]`)
        : compileStruct(type.array, version, flexible, `${path}[]`);
    assert(element.bytesMin >= 1, `${path}: array elements must take at least one byte`);
    return compileArray(element, flexible, nullable, path);
  }
  const struct = compileStruct(type.struct, version, flexible, path);
  return nullable ? compileNullableStruct(struct, path) : struct;
}

/**
 * A nullable struct (ConsumerGroupHeartbeat's Assignment): Kafka writes an int8 marker first,
 * −1 for null and 1 for a struct that follows.
 */
function compileNullableStruct(struct: ValueCodec, path: string): ValueCodec {
  return {
    bytesMin: 1,
    decode(reader) {
      const marker = reader.readInt8();
      if (marker < 0) return null;
      return struct.decode(reader);
    },
    encode(writer, value) {
      if (value === null) {
        writer.writeInt8(-1);
        return;
      }
      assert(typeof value === 'object', `${path} must be a struct or null`);
      writer.writeInt8(1);
      struct.encode(writer, value);
    },
  };
}

function compileArray(element: ValueCodec, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  const elementBytesMin = element.bytesMin;
  return {
    bytesMin: flexible ? 1 : 4,
    decode(reader) {
      const count = flexible ? reader.readCompactArrayCount(elementBytesMin) : reader.readArrayCount(elementBytesMin);
      if (count === -1) {
        if (nullable) return null;
        throw new ProtocolError(`${path} is null but not nullable in this version`);
      }
      // The count was checked against the bytes left, so this loop is bounded by the input.
      const values: unknown[] = [];
      for (let index = 0; index < count; index++) values.push(element.decode(reader));
      return values;
    },
    encode(writer, value) {
      if (value === null) {
        assert(nullable, `${path} is null but not nullable in this version`);
        if (flexible) writer.writeCompactArrayCount(null);
        else writer.writeArrayCount(-1);
        return;
      }
      assert(Array.isArray(value), `${path} must be an array`);
      if (flexible) writer.writeCompactArrayCount(value.length);
      else writer.writeArrayCount(value.length);
      for (let index = 0; index < value.length; index++) element.encode(writer, value[index]);
    },
  };
}

function compilePrimitive(type: PrimitiveType, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  const notNull = (value: unknown): void => assert(value !== null, `${path} is null but not nullable in this version`);
  switch (type) {
    case 'bool':
      return { bytesMin: 1, decode: (r) => r.readBool(), encode: (w, v) => w.writeBool(v as boolean) };
    case 'int8':
      return { bytesMin: 1, decode: (r) => r.readInt8(), encode: (w, v) => w.writeInt8(v as number) };
    case 'int16':
      return { bytesMin: 2, decode: (r) => r.readInt16(), encode: (w, v) => w.writeInt16(v as number) };
    case 'uint16':
      return { bytesMin: 2, decode: (r) => r.readUint16(), encode: (w, v) => w.writeUint16(v as number) };
    case 'int32':
      return { bytesMin: 4, decode: (r) => r.readInt32(), encode: (w, v) => w.writeInt32(v as number) };
    case 'uint32':
      return { bytesMin: 4, decode: (r) => r.readUint32(), encode: (w, v) => w.writeUint32(v as number) };
    case 'int64':
      return { bytesMin: 8, decode: (r) => r.readInt64(), encode: (w, v) => w.writeInt64(v as number) };
    case 'float64':
      return { bytesMin: 8, decode: (r) => r.readFloat64(), encode: (w, v) => w.writeFloat64(v as number) };
    case 'uuid':
      return { bytesMin: 16, decode: (r) => r.readUuid(), encode: (w, v) => w.writeUuid(v as Uint8Array) };
    case 'string':
      if (flexible) {
        return nullable
          ? { bytesMin: 1, decode: (r) => r.readCompactNullableString(), encode: (w, v) => w.writeCompactNullableString(v as string | null) }
          : { bytesMin: 1, decode: (r) => r.readCompactString(), encode: (w, v) => (notNull(v), w.writeCompactString(v as string)) };
      }
      return nullable
        ? { bytesMin: 2, decode: (r) => r.readNullableString(), encode: (w, v) => w.writeNullableString(v as string | null) }
        : { bytesMin: 2, decode: (r) => r.readString(), encode: (w, v) => (notNull(v), w.writeString(v as string)) };
    case 'bytes':
      if (flexible) {
        return nullable
          ? { bytesMin: 1, decode: (r) => r.readCompactNullableBytes(), encode: (w, v) => w.writeCompactNullableBytes(v as Uint8Array | null) }
          : { bytesMin: 1, decode: (r) => r.readCompactBytes(), encode: (w, v) => (notNull(v), w.writeCompactBytes(v as Uint8Array)) };
      }
      return nullable
        ? { bytesMin: 4, decode: (r) => r.readNullableBytes(), encode: (w, v) => w.writeNullableBytes(v as Uint8Array | null) }
        : { bytesMin: 4, decode: (r) => r.readBytes(), encode: (w, v) => (notNull(v), w.writeBytes(v as Uint8Array)) };
    case 'records':
      return compileRecords(flexible, nullable, path, false);
    case 'recordChunks':
      return compileRecords(flexible, nullable, path, true);
    default:
      return assertNever(type, 'primitive type');
  }
}

/**
 * Record data: nullable bytes on the wire. Decoding yields a view of the frame (never a copy);
 * encoding appends the caller's views to the output by reference. `chunked` values are lists of
 * views (a Fetch response's batches); a decoded list holds one view, or none for empty data.
 */
function compileRecords(flexible: boolean, nullable: boolean, path: string, chunked: boolean): ValueCodec {
  const readView = (reader: Reader): Uint8Array | null => {
    const view = flexible ? reader.readCompactNullableBytes() : reader.readNullableBytes();
    if (view === null && !nullable) throw new ProtocolError(`${path} is null but not nullable in this version`);
    return view;
  };
  if (chunked) {
    return {
      bytesMin: flexible ? 1 : 4,
      decode(reader) {
        const view = readView(reader);
        if (view === null) return null;
        return view.length === 0 ? [] : [view];
      },
      encode(writer, value) {
        if (value === null) assert(nullable, `${path} is null but not nullable in this version`);
        writer.writeRecordsChunks(value as Uint8Array[] | null, flexible);
      },
    };
  }
  return {
    bytesMin: flexible ? 1 : 4,
    decode: readView,
    encode(writer, value) {
      if (value === null) {
        assert(nullable, `${path} is null but not nullable in this version`);
        writer.writeRecordsChunks(null, flexible);
        return;
      }
      const bytes = value as Uint8Array;
      if (flexible) writer.writeUnsignedVarint(bytes.length + 1);
      else writer.writeInt32(bytes.length);
      writer.appendChunk(bytes);
    },
  };
}

// Defaults: Kafka's `default` when the table gives one, otherwise the type's zero value. Fresh
// objects each time, since decoded values belong to the caller.

function defaultFactory(field: FieldSchema, path: string): () => unknown {
  if (field.default !== undefined) {
    const value: FieldDefault = field.default;
    if (value === null) {
      assert(field.nullableVersions !== undefined, `${path} defaults to null but is never nullable`);
    }
    return () => value;
  }
  return typeDefaultFactory(field.type, field.nullableVersions !== undefined);
}

function typeDefaultFactory(type: FieldType, nullable: boolean): () => unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'bool':
        return () => false;
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'int64':
      case 'float64':
        return () => 0;
      case 'uuid':
        return () => new Uint8Array(16);
      case 'string':
        return () => '';
      case 'bytes':
        return () => new Uint8Array(0);
      case 'records':
        return nullable ? () => null : () => new Uint8Array(0);
      case 'recordChunks':
        return nullable ? () => null : () => [];
      default:
        return assertNever(type, 'primitive type');
    }
  }
  if ('array' in type) return () => [];
  const fields = type.struct.map((field) => ({ name: field.name, make: defaultFactory(field, field.name) }));
  return () => {
    const value: StructObject = {};
    for (const field of fields) value[field.name] = field.make();
    return value;
  };
}

/** True when a tagged field holds its default and can be left out of the tag section. */
function isDefaultValue(field: FieldSchema, value: unknown): boolean {
  if (field.default !== undefined) return value === field.default;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Uint8Array) return value.length === 0 && field.type !== 'uuid';
  if (typeof value === 'object' && value !== null) {
    // A struct is left out when every field holds its default, as Kafka's generated code does.
    const type = field.type;
    if (typeof type !== 'object' || !('struct' in type)) return false;
    const struct = value as Record<string, unknown>;
    return type.struct.every((member) => isDefaultValue(member, struct[member.name]));
  }
  return value === typeDefaultFactory(field.type, field.nullableVersions !== undefined)();
}
