// The transaction coordinator's knobs, with Kafka's broker defaults. Checked once at construction.
import { assert } from '../assert.js';

export interface TxnConfig {
  /** transaction.max.timeout.ms: InitProducerId asking for longer gets INVALID_TRANSACTION_TIMEOUT. */
  readonly transactionTimeoutMsMax: number;
  /** transactional.id.expiration.ms: an id with no transaction open and no change for this long is forgotten. */
  readonly transactionalIdExpirationMs: number;
  /**
   * The shard's transaction state log is compacted once this many bytes were appended since the
   * last snapshot and at least as many as that snapshot took. Read by the transaction actor.
   */
  readonly stateLogCompactionBytesMin: number;
}

export const txnConfigDefault: TxnConfig = {
  transactionTimeoutMsMax: 900_000,
  transactionalIdExpirationMs: 7 * 24 * 3600 * 1000,
  stateLogCompactionBytesMin: 4 * 1024 * 1024,
};

export function txnConfig(overrides: Partial<TxnConfig> = {}): TxnConfig {
  const config = { ...txnConfigDefault, ...overrides };
  assert(Number.isSafeInteger(config.transactionTimeoutMsMax) && config.transactionTimeoutMsMax > 0,
    `transactionTimeoutMsMax must be a positive integer, got ${config.transactionTimeoutMsMax}`);
  assert(Number.isSafeInteger(config.transactionalIdExpirationMs) && config.transactionalIdExpirationMs > 0,
    `transactionalIdExpirationMs must be a positive integer, got ${config.transactionalIdExpirationMs}`);
  assert(Number.isSafeInteger(config.stateLogCompactionBytesMin) && config.stateLogCompactionBytesMin > 0,
    `stateLogCompactionBytesMin must be a positive integer, got ${config.stateLogCompactionBytesMin}`);
  return config;
}
