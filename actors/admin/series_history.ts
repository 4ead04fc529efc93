// The dashboard's small charts: the last few minutes of a set of named series (records/s per
// topic, lag per group), one point per step for all series at once. Kept on the server so a page
// opened now shows the minutes before it was opened. Bounded: `pointsMax` points, and only the
// series seen in that window (a deleted topic's or group's series ends when its points age out).

export interface HistorySnapshot {
  /** Sample times (ms since the epoch), oldest first. */
  atMs: number[];
  /** Series name → one value per `atMs` (null where the series had no value then). */
  series: Record<string, (number | null)[]>;
}

export class SeriesHistory {
  readonly #pointsMax: number;
  readonly #atMs: number[] = [];
  readonly #series = new Map<string, (number | null)[]>();

  constructor(pointsMax: number) {
    if (!Number.isInteger(pointsMax) || pointsMax < 2) throw new RangeError(`pointsMax must be an integer ≥ 2, got ${pointsMax}`);
    this.#pointsMax = pointsMax;
  }

  get lastAtMs(): number | null {
    return this.#atMs.length === 0 ? null : this.#atMs[this.#atMs.length - 1];
  }

  /** One point for every series: `values` holds those that have one now (null: unknown). */
  record(atMs: number, values: ReadonlyMap<string, number | null>): void {
    const index = this.#atMs.length;
    this.#atMs.push(atMs);
    for (const [name, value] of values) {
      let points = this.#series.get(name);
      if (points === undefined) {
        points = new Array<number | null>(index).fill(null);
        this.#series.set(name, points);
      }
      points.push(value);
    }
    for (const points of this.#series.values()) if (points.length === index) points.push(null);
    if (this.#atMs.length > this.#pointsMax) {
      this.#atMs.shift();
      for (const [name, points] of this.#series) {
        points.shift();
        if (points.every((p) => p === null)) this.#series.delete(name);
      }
    }
  }

  snapshot(): HistorySnapshot {
    const series: Record<string, (number | null)[]> = {};
    for (const [name, points] of this.#series) series[name] = [...points];
    return { atMs: [...this.#atMs], series };
  }
}
