// KafkaJS's retry options and the waits they give: the first retry waits about `initialRetryTime`,
// each next one `multiplier` times longer, each randomised by ±`factor` and capped at
// `maxRetryTime`, for at most `retries` retries. The producer retries a batch the broker refused
// with a retriable error this way; the consumer redelivers a record whose handler threw this way,
// then asks `restartOnFailure`. Pure: the randomness is injected.

export interface RetrySchedule {
  /** Retries after the first attempt; default 5. */
  readonly retries: number;
  /** The longest single wait, in ms; default 30000. */
  readonly maxRetryTime: number;
  /** The first wait, in ms; default 300. */
  readonly initialRetryTime: number;
  /** Randomisation of each wait, ± this fraction; default 0.2. */
  readonly factor: number;
  /** Growth of the wait from one retry to the next; default 2. */
  readonly multiplier: number;
}

/** KafkaJS 2.2's defaults. */
export const retryDefaults: RetrySchedule = { retries: 5, maxRetryTime: 30_000, initialRetryTime: 300, factor: 0.2, multiplier: 2 };

/** The options over the defaults; a value that makes no schedule is refused naming the option. */
export function retryScheduleOf(options: Partial<RetrySchedule> = {}): RetrySchedule {
  const schedule = { ...retryDefaults, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) } as RetrySchedule;
  if (!Number.isInteger(schedule.retries) || schedule.retries < 0) throw new RangeError(`retry.retries must be a non-negative integer, got ${String(schedule.retries)}`);
  for (const name of ['maxRetryTime', 'initialRetryTime', 'multiplier'] as const) {
    if (typeof schedule[name] !== 'number' || !Number.isFinite(schedule[name]) || schedule[name] < 0) throw new RangeError(`retry.${name} must be a non-negative number, got ${String(schedule[name])}`);
  }
  if (typeof schedule.factor !== 'number' || !(schedule.factor >= 0 && schedule.factor < 1)) throw new RangeError(`retry.factor must be at least 0 and below 1, got ${String(schedule.factor)}`);
  return schedule;
}

/** `retryTime` randomised by ±factor (KafkaJS's randomFromRetryTime); `random` in [0, 1). */
function randomised(schedule: RetrySchedule, retryTime: number, random: () => number): number {
  const delta = schedule.factor * retryTime;
  return Math.ceil(retryTime - delta + random() * 2 * delta);
}

/**
 * The wait before the next retry: the first (`previousMs` null) about initialRetryTime, each
 * later one about `multiplier` times the previous, capped at maxRetryTime (KafkaJS's schedule).
 */
export function nextRetryTime(schedule: RetrySchedule, previousMs: number | null, random: () => number): number {
  if (previousMs === null) return randomised(schedule, schedule.initialRetryTime, random);
  return Math.min(randomised(schedule, previousMs, random) * schedule.multiplier, schedule.maxRetryTime);
}
