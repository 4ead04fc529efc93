// Kafka's default for a field that is not on the wire in a version, as decoding must produce it:
// the table's `default` when it gives one, otherwise the type's zero value. Recomputed from the
// table rather than taken from the codec, so tests check the codec's defaulting instead of
// assuming it.

import type { FieldSchema } from '../../core/protocol/schema.js';

export function defaultOf(field: FieldSchema): unknown {
  if (field.default !== undefined) return field.default;
  const type = field.type;
  if (typeof type !== 'string') {
    if ('array' in type) return [];
    return Object.fromEntries(type.struct.map((inner) => [inner.name, defaultOf(inner)]));
  }
  switch (type) {
    case 'bool':
      return false;
    case 'uuid':
      return new Uint8Array(16);
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'records':
    case 'recordChunks':
      return null;
    default:
      return 0;
  }
}
