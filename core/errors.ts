// Operating errors: expected bad input from clients or the environment. Each carries Kafka's
// numeric error code so the wire layer can answer with it, and a stable string code for logs,
// the embedded API and documentation. These are answered and logged; the broker keeps serving.
import { errorMessageCharsMax, quotedValueCharsMax } from './limits.js';

/** Kafka's error codes (the subset Lanes returns), by their protocol names. */
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SECURITY_DISABLED: 54,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  TRANSACTION_COORDINATOR_FENCED: 52,
  INVALID_TIMESTAMP: 32,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_PRODUCER_ID: 59,
  INVALID_CONFIG: 40,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  INVALID_RECORD: 87,
  UNSTABLE_OFFSET_COMMIT: 88,
  PRODUCER_FENCED: 90,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  MISMATCHED_ENDPOINT_TYPE: 114,
  UNSUPPORTED_ENDPOINT_TYPE: 115,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  OPERATION_NOT_ATTEMPTED: 55,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  INVALID_REGULAR_EXPRESSION: 128,
  INVALID_REPLICA_ASSIGNMENT: 39,
  UNKNOWN_TOPIC_ID: 100,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  SASL_AUTHENTICATION_FAILED: 58,
  RESOURCE_NOT_FOUND: 91,
  DUPLICATE_RESOURCE: 92,
  UNACCEPTABLE_CREDENTIAL: 93,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeNumber = (typeof ErrorCode)[ErrorCodeName];

const namesByNumber = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

export function errorCodeName(code: number): string {
  return namesByNumber.get(code) ?? `ERROR_${code}`;
}

/**
 * The codes whose exceptions Kafka's own client classes derive from RetriableException: the same
 * request may succeed if sent again (a leader moved, a coordinator loads, a session expired).
 * Every other code needs the caller to change something first. By number, so that the list
 * holds for codes Lanes never returns itself.
 */
const retriableErrorCodes: ReadonlySet<number> = new Set([
  2, // CORRUPT_MESSAGE (a batch damaged in transit; resending may fix it)
  3, // UNKNOWN_TOPIC_OR_PARTITION (metadata may be stale)
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  7, // REQUEST_TIMED_OUT
  9, // REPLICA_NOT_AVAILABLE
  13, // NETWORK_EXCEPTION
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
  19, // NOT_ENOUGH_REPLICAS
  20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
  41, // NOT_CONTROLLER
  51, // CONCURRENT_TRANSACTIONS
  56, // KAFKA_STORAGE_ERROR
  70, // FETCH_SESSION_ID_NOT_FOUND
  71, // INVALID_FETCH_SESSION_EPOCH
  72, // LISTENER_NOT_FOUND
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
  78, // OFFSET_NOT_AVAILABLE
  80, // PREFERRED_LEADER_NOT_AVAILABLE
  83, // ELIGIBLE_LEADERS_NOT_AVAILABLE
  88, // UNSTABLE_OFFSET_COMMIT
  89, // THROTTLING_QUOTA_EXCEEDED
  100, // UNKNOWN_TOPIC_ID
  106, // FETCH_SESSION_TOPIC_ID_ERROR
]);

/**
 * What a group coordinator answers a member it does not take as current: mid-rebalance, of an
 * older generation or member epoch, or no longer in the group (KIP-848's codes beside the classic
 * ones). A member's commit refused with one of these is not a failure of the commit's content.
 */
const memberRefusalErrorCodes: ReadonlySet<number> = new Set([
  22, // ILLEGAL_GENERATION
  25, // UNKNOWN_MEMBER_ID
  27, // REBALANCE_IN_PROGRESS
  110, // FENCED_MEMBER_EPOCH
  113, // STALE_MEMBER_EPOCH
]);

export function isMemberRefusalErrorCode(code: number): boolean {
  return memberRefusalErrorCodes.has(code);
}

/** Whether a request that failed with `code` may succeed if sent again unchanged. */
export function isRetriableErrorCode(code: number): boolean {
  return retriableErrorCodes.has(code);
}

const lanesErrorBrand = Symbol.for('lanes.error');

// Whether a LanesError made on this thread records its stack. On by default: an embedded client
// hands the broker's LanesErrors to the user's code, whose own `at async …` frames say where it
// failed. Shard worker threads turn it off (shard_main.ts): their errors reach the host as codes and
// messages, never as objects with a stack, and capturing frames nobody reads cost about a tenth of
// a shard's CPU under a stream of bad requests, each answered with an error code. `lanes start`
// turns it off on its main thread too (host/cli.ts): it runs no user code to hand them to.
let lanesErrorStacks = true;

/** Turns stack capture of this thread's LanesErrors on or off (see above). */
export function captureLanesErrorStacks(on: boolean): void {
  lanesErrorStacks = on;
}

/**
 * An operating error with Kafka's code. Branded through Symbol.for so that `isLanesError`
 * works across copies of the module (worker threads load their own).
 *
 * A subclass sets `capturesStack` false when its stack can never help (ProtocolError: bytes off
 * the wire were malformed, and where the decoder noticed says nothing to anyone). A cause keeps its
 * own stack, and programmer errors (asserts, TypeErrors) are not LanesErrors, so bugs keep theirs.
 */
export class LanesError extends Error {
  /** Whether instances record a stack (on a thread where LanesErrors do). */
  static readonly capturesStack: boolean = true;
  override name = 'LanesError';
  readonly errorCode: number;

  constructor(errorCode: number, message: string, options?: { cause?: unknown }) {
    const stackFrames = Error.stackTraceLimit;
    if (!lanesErrorStacks || !(new.target as typeof LanesError).capturesStack) Error.stackTraceLimit = 0;
    super(boundedMessage(`${errorCodeName(errorCode)}: ${message}`), options);
    Error.stackTraceLimit = stackFrames;
    this.errorCode = errorCode;
    Object.defineProperty(this, lanesErrorBrand, { value: true });
  }

  /** Kafka's protocol name for the code, e.g. CORRUPT_MESSAGE. */
  get codeName(): string {
    return errorCodeName(this.errorCode);
  }

  /** KafkaJS's name for codeName (KafkaJSProtocolError.type), for code written against KafkaJS. */
  get type(): string {
    return this.codeName;
  }

  /** Whether the same request may succeed if sent again (KafkaJSError.retriable). */
  get retriable(): boolean {
    return isRetriableErrorCode(this.errorCode);
  }
}

/**
 * An error message received with `errorCode` without the "CODE_NAME: " a LanesError starts its
 * message with, so a message repeated under another one names its code once.
 */
export function messageDetail(errorCode: number, message: string): string {
  const prefix = `${errorCodeName(errorCode)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

export function isLanesError(error: unknown): error is LanesError {
  return typeof error === 'object' && error !== null && lanesErrorBrand in error;
}

/**
 * A client's value as an error message quotes it: JSON-quoted (control characters stay visible)
 * and cut to quotedValueCharsMax characters, so a hostile value cannot make the answer too large
 * to encode. Every message that quotes a value read off the wire goes through here.
 */
export function quoted(value: string | null): string {
  if (value === null) return 'null';
  if (value.length <= quotedValueCharsMax) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, quotedValueCharsMax))}… (${value.length} characters)`;
}

/** A message cut to errorMessageCharsMax characters: what any error answer carries at most. */
export function boundedMessage(message: string): string {
  return message.length <= errorMessageCharsMax ? message : `${message.slice(0, errorMessageCharsMax - 1)}…`;
}
