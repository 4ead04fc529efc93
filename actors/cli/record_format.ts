// How `lanes consume` prints a record: a kcat-style format string or one JSON object per line.
//
//   %t topic   %p partition   %o offset   %T timestamp (ms)   %k key   %v (or %s) value
//   %K key length (-1 for null)   %S value length (-1 for null)   %h headers as k=v,k=v   %%
//   \n \t \\ are escapes.
//
// Keys, values and header values print as UTF-8 text; null prints as nothing (JSON: null).
// Every record ends with a newline, so a format does not need its own.

import { CliError } from './cli_error.js';

export interface PrintedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { key: string; value: Uint8Array | null }[];
}

export type RecordFormatter = (record: PrintedRecord) => string;

const textDecoder = new TextDecoder();

function text(bytes: Uint8Array | null): string {
  return bytes === null ? '' : textDecoder.decode(bytes);
}

function jsonRecord(record: PrintedRecord): string {
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : text(record.key),
    value: record.value === null ? null : text(record.value),
    headers: Object.fromEntries(record.headers.map((h) => [h.key, h.value === null ? null : text(h.value)])),
  });
}

type Piece = string | ((record: PrintedRecord) => string);

const placeholders: Record<string, (record: PrintedRecord) => string> = {
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  T: (r) => String(r.timestamp),
  k: (r) => text(r.key),
  v: (r) => text(r.value),
  s: (r) => text(r.value),
  K: (r) => String(r.key === null ? -1 : r.key.length),
  S: (r) => String(r.value === null ? -1 : r.value.length),
  h: (r) => r.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
};

const escapes: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };

/** Compiles `--format`: 'json', or a string with the placeholders above. */
export function compileFormat(format: string): RecordFormatter {
  if (format === 'json') return (record) => `${jsonRecord(record)}\n`;
  const pieces: Piece[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const char = format[i];
    const next = format[i + 1];
    if (char === '%' || char === '\\') {
      if (next === undefined) throw new CliError(`--format '${format}': it ends with a lone ${char}`);
      i++;
      if (char === '%' && next === '%') literal += '%';
      else if (char === '%') {
        const placeholder = placeholders[next];
        if (placeholder === undefined) throw new CliError(`--format '${format}': unknown placeholder %${next} (known: %t %p %o %T %k %v %s %K %S %h %%)`);
        if (literal !== '') pieces.push(literal);
        literal = '';
        pieces.push(placeholder);
      } else {
        const escaped = escapes[next];
        if (escaped === undefined) throw new CliError(`--format '${format}': unknown escape \\${next}`);
        literal += escaped;
      }
    } else literal += char;
  }
  if (literal !== '') pieces.push(literal);
  return (record) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : piece(record);
    return `${out}\n`;
  };
}
