// Where `lanes consume -o` starts a partition. The spellings are kcat's and Kafka's tools':
//   beginning | earliest | start   the log start offset
//   end | latest                   the log end offset (only records produced from now on)
//   N                              offset N
//   +N                             N records past the log start
//   -N                             the last N records (N before the log end)
//   @T                             the first record with a timestamp ≥ T (ms since the epoch, or
//                                  an ISO date such as 2026-12-01T10:00:00Z)
// Parsing is separate from resolving: `resolveStart` needs the partition's log start and end
// (ListOffsets −2/−1) and, for @T, the offset ListOffsets answered for T.

export type StartPosition =
  | { readonly kind: 'beginning' }
  | { readonly kind: 'end' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'afterStart'; readonly count: number }
  | { readonly kind: 'beforeEnd'; readonly count: number }
  | { readonly kind: 'timestamp'; readonly ms: number };

export const startPositionHelp = 'beginning, end, an offset N, +N (N past the start), -N (the last N) or @time (ms or ISO date)';

/** Parses an -o value; a message saying what is accepted when it is none of the spellings. */
export function parseStartPosition(value: string): StartPosition | { readonly problem: string } {
  if (value === 'beginning' || value === 'earliest' || value === 'start') return { kind: 'beginning' };
  if (value === 'end' || value === 'latest') return { kind: 'end' };
  const problem = { problem: `expected ${startPositionHelp}` };
  if (value.startsWith('@')) {
    const text = value.slice(1);
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isSafeInteger(ms) && ms >= 0 ? { kind: 'timestamp', ms } : problem;
  }
  const match = /^([+-]?)(\d+)$/.exec(value);
  if (match === null) return problem;
  const n = Number(match[2]);
  if (!Number.isSafeInteger(n)) return problem;
  if (match[1] === '+') return { kind: 'afterStart', count: n };
  if (match[1] === '-') return { kind: 'beforeEnd', count: n };
  return { kind: 'offset', offset: n };
}

/** Which ListOffsets lookups `position` needs besides the log end (always looked up). */
export function needsLogStart(position: StartPosition): boolean {
  return position.kind === 'beginning' || position.kind === 'afterStart' || position.kind === 'beforeEnd';
}

/**
 * The offset to start at, kept inside [logStart, logEnd] for the relative spellings (as kcat does:
 * -100 on a 10-record log reads those 10). `atTimestamp` is ListOffsets's answer for @T: −1 when
 * no record is that recent, which starts at the end. An absolute N is left as given: the broker
 * answers OFFSET_OUT_OF_RANGE for one outside the log, and the user should hear that.
 */
export function resolveStart(position: StartPosition, logStart: number, logEnd: number, atTimestamp: number): number {
  switch (position.kind) {
    case 'beginning':
      return logStart;
    case 'end':
      return logEnd;
    case 'offset':
      return position.offset;
    case 'afterStart':
      return Math.min(logStart + position.count, logEnd);
    case 'beforeEnd':
      return Math.max(logEnd - position.count, logStart);
    case 'timestamp':
      return atTimestamp >= 0 ? atTimestamp : logEnd;
  }
}
