// The virtual engine's agenda: actions at simulated times, run earliest first. Actions at the same
// time run in the order they were added, except that `late` ones (the samples) run after every
// ordinary action of their time, so a sample sees what happened at that instant. A binary heap.

interface Entry {
  readonly atMs: number;
  readonly late: boolean;
  readonly seq: number;
  readonly run: () => void;
}

function before(a: Entry, b: Entry): boolean {
  if (a.atMs !== b.atMs) return a.atMs < b.atMs;
  if (a.late !== b.late) return !a.late;
  return a.seq < b.seq;
}

export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(atMs: number, run: () => void, late = false): void {
    const heap = this.heap;
    heap.push({ atMs, late, seq: this.seq++, run });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  /** The time of the next action, or undefined when there is none. */
  peekMs(): number | undefined {
    return this.heap[0]?.atMs;
  }

  /** Removes and returns the next action. */
  take(): { atMs: number; run: () => void } | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
        index = smallest;
      }
    }
    return top;
  }
}
