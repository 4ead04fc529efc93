// A validator for the small subset of JSON Schema (draft 2020-12) the lab's scenario schema uses,
// so that the document editors read and the checks `lanes lab` runs are one definition. Each
// failure is one line: the path of the offending value, what was expected there, and what was
// found. Values that pass come back with the schema's `default`s filled in (a fresh copy; the
// input is never modified).
//
// Supported: type (one name), properties, required, additionalProperties: false, enum, const,
// minimum, exclusiveMinimum, maximum, minLength, maxLength, pattern, items, minItems, maxItems,
// uniqueItems (strings), oneOf, default, description, title. oneOf picks its branch the way a
// reader would: by the JSON type, then by a property every object branch fixes with `const` (a
// discriminator such as "event"), then by the branch whose required properties are all present;
// so an error speaks about the branch the author meant, not about every branch at once.

export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
  readonly enum?: readonly (string | number)[];
  readonly const?: string | number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly oneOf?: readonly JsonSchema[];
  readonly default?: unknown;
}

export type Validated = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: string[] };

/** The most errors one validation reports: past it, the author has a different problem. */
const errorsReportedMax = 50;

export function validateJson(schema: JsonSchema, value: unknown, rootPath = '(scenario)'): Validated {
  const errors: string[] = [];
  const result = check(schema, value, rootPath, errors);
  if (errors.length > errorsReportedMax) {
    const more = errors.length - errorsReportedMax;
    errors.length = errorsReportedMax;
    errors.push(`… and ${more} more`);
  }
  return errors.length === 0 ? { ok: true, value: result } : { ok: false, errors };
}

/** How a value is described in a message: short, one line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : JSON.stringify(value);
  return String(value);
}

/** What a schema expects, in words ("an integer ≥ 1", "one of range, sticky"). */
export function expectation(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return `one of ${schema.enum.join(', ')}`;
  if (schema.oneOf !== undefined) return schema.oneOf.map(expectation).join(' or ');
  if (schema.title !== undefined) return schema.title;
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const noun = schema.type === 'integer' ? 'an integer' : 'a number';
      const bounds: string[] = [];
      if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
      if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
      if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
      return bounds.length === 0 ? noun : `${noun} ${bounds.join(' and ')}`;
    }
    case 'string':
      return schema.minLength !== undefined && schema.minLength > 0 ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return schema.items === undefined ? 'a list' : `a list of ${plural(expectation(schema.items))}`;
    case 'object':
      return 'an object';
    default:
      return 'a value';
  }
}

function plural(what: string): string {
  return what.replace(/^an? /, '') + (what.startsWith('a') ? 's' : '');
}

function typeMatches(type: JsonSchema['type'], value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function fail(errors: string[], path: string, schema: JsonSchema, value: unknown): undefined {
  errors.push(`${path}: expected ${expectation(schema)}, got ${describeValue(value)}`);
  return undefined;
}

function check(schema: JsonSchema, value: unknown, path: string, errors: string[]): unknown {
  if (schema.oneOf !== undefined) return checkOneOf(schema, value, path, errors);
  if (!typeMatches(schema.type, value)) return fail(errors, path, schema, value);
  if (schema.const !== undefined && value !== schema.const) return fail(errors, path, schema, value);
  if (schema.enum !== undefined && !schema.enum.includes(value as string | number)) return fail(errors, path, schema, value);
  if (typeof value === 'number') {
    if ((schema.minimum !== undefined && value < schema.minimum)
      || (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      || (schema.maximum !== undefined && value > schema.maximum)) return fail(errors, path, schema, value);
    return value;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return fail(errors, path, schema, value);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push(`${path}: expected at most ${schema.maxLength} characters, got ${value.length}`);
      return undefined;
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      return fail(errors, path, schema, value);
    }
    return value;
  }
  if (Array.isArray(value)) return checkArray(schema, value, path, errors);
  if (schema.type === 'object') return checkObject(schema, value as Record<string, unknown>, path, errors);
  return value;
}

function checkArray(schema: JsonSchema, value: unknown[], path: string, errors: string[]): unknown[] | undefined {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push(`${path}: expected at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}, got ${value.length}`);
    return undefined;
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push(`${path}: expected at most ${schema.maxItems} entries, got ${value.length}`);
    return undefined;
  }
  const items = schema.items;
  const result = items === undefined ? [...value] : value.map((item, index) => check(items, item, `${path}[${index}]`, errors));
  if (schema.uniqueItems === true) {
    const seen = new Set<unknown>();
    value.forEach((item, index) => {
      if (seen.has(item)) errors.push(`${path}[${index}]: ${describeValue(item)} appears twice`);
      seen.add(item);
    });
  }
  return result;
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string, errors: string[]): Record<string, unknown> {
  const properties = schema.properties ?? {};
  const result: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) errors.push(`${path}.${name}: missing (expected ${expectation(properties[name] ?? {})})`);
  }
  if (schema.additionalProperties === false) {
    const known = Object.keys(properties);
    for (const name of Object.keys(value)) {
      if (!Object.hasOwn(properties, name)) errors.push(`${path}.${name}: unknown field (expected one of ${known.join(', ')})`);
    }
  }
  for (const [name, property] of Object.entries(properties)) {
    const given = Object.hasOwn(value, name) ? value[name] : undefined;
    if (given === undefined) {
      // A default goes through its schema too, so an object default gets its own fields' defaults.
      if (property.default !== undefined) result[name] = check(property, structuredClone(property.default), `${path}.${name}`, errors);
      continue;
    }
    result[name] = check(property, given, `${path}.${name}`, errors);
  }
  return result;
}

/** The property every object branch fixes with `const`, if there is one. */
function discriminatorOf(branches: readonly JsonSchema[]): string | undefined {
  const objects = branches.filter((branch) => branch.type === 'object');
  if (objects.length < 2) return undefined;
  const first = objects[0].properties ?? {};
  return Object.keys(first).find((name) => objects.every((branch) => branch.properties?.[name]?.const !== undefined));
}

function checkOneOf(schema: JsonSchema, value: unknown, path: string, errors: string[]): unknown {
  const branches = schema.oneOf ?? [];
  let candidates = branches.filter((branch) => typeMatches(branch.type, value));
  if (candidates.length > 1 && typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const discriminator = discriminatorOf(candidates);
    if (discriminator !== undefined) {
      const given = record[discriminator];
      const matching = candidates.filter((branch) => branch.properties?.[discriminator]?.const === given);
      if (matching.length !== 1) {
        const names = candidates.map((branch) => branch.properties?.[discriminator]?.const).join(', ');
        errors.push(`${path}.${discriminator}: expected one of ${names}, got ${describeValue(given)}`);
        return undefined;
      }
      candidates = matching;
    } else {
      const complete = candidates.filter((branch) => (branch.required ?? []).every((name) => record[name] !== undefined));
      if (complete.length === 0) {
        errors.push(`${path}: expected ${expectation(schema)}, got an object with ${Object.keys(record).join(', ') || 'no fields'}`);
        return undefined;
      }
      candidates = complete;
    }
  }
  if (candidates.length === 0) return fail(errors, path, schema, value);
  return check(candidates[0], value, path, errors);
}
