/**
 * The future event list: a binary min-heap ordered by (time, seq). `seq` is a counter assigned at
 * insertion, so events at the same time run in the order they were scheduled — never in an order
 * that depends on heap layout, object keys or Map iteration.
 *
 * Keys live in parallel typed arrays (no per-event key objects), which keeps the hot loop of the
 * engine allocation-light. A general-purpose heap package would compare boxed objects through a
 * callback; this one compares two doubles inline, which is most of the engine's speed.
 */
export type EventFn = () => void;

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fns: Array<EventFn | null> = new Array(1024);
  private n = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n;
  }

  /** Sequence number the next `push` will get. */
  get seq(): number {
    return this.nextSeq;
  }

  push(time: number, fn: EventFn): number {
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    let i = this.n++;
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      fns[i] = fns[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    fns[i] = fn;
    return seq;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0];
  }

  /** Removes the earliest event; its time and seq are left in `lastTime` / `lastSeq`. */
  pop(): EventFn | null {
    const n = this.n;
    if (n === 0) return null;
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const fn = fns[0];
    this.lastTime = times[0];
    this.lastSeq = seqs[0];
    const last = n - 1;
    this.n = last;
    if (last > 0) {
      const t = times[last];
      const s = seqs[last];
      const f = fns[last];
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let c = 2 * i + 1;
        const r = c + 1;
        if (r < last && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
        if (t < times[c] || (t === times[c] && s < seqs[c])) break;
        times[i] = times[c];
        seqs[i] = seqs[c];
        fns[i] = fns[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      fns[i] = f;
    }
    fns[last] = null;
    return fn;
  }

  lastTime = 0;
  lastSeq = 0;

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.times = t;
    this.seqs = s;
    this.fns.length = cap;
  }
}
