// Deterministic records from a seed (xorshift32 values), in plain JavaScript so that both a test
// (through log_support's seededBatch, encoded by the sources) and a crash-test child process
// (test/integration/fixtures/log_writer.mjs, encoded by the build in dist/, no TypeScript loader)
// derive the same bytes from the same seed. Typed by seeded_records.d.mts.

/** `recordCount` records of `valueBytes` each, values from `seed`, CreateTime `timestamp + i`, no key. */
export function seededRecords(seed, recordCount, valueBytes, timestamp = 1_000) {
  let state = seed | 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state & 0xff;
  };
  return Array.from({ length: recordCount }, (_, i) => {
    const value = new Uint8Array(valueBytes);
    for (let j = 0; j < valueBytes; j++) value[j] = next();
    return { key: null, value, timestamp: timestamp + i };
  });
}
