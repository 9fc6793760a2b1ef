// Sends at a bounded rate: values offered faster than once per interval are merged and go
// out together when the interval has passed. Used for streaming pen points (~20 Hz, so
// others see ink as it is drawn without one update per pointer event) and for the laser
// pointer's awareness updates (only the latest position matters). Framework-free; the
// timer functions are injectable for tests.

export type PacerTimers = {
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

const realTimers: PacerTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

export class Pacer<T> {
  private pending: { value: T } | undefined;
  private lastSent = -Infinity;
  private timer: unknown;

  constructor(
    private readonly intervalMs: number,
    /** Combines what is pending with a newer value (concatenate points; keep the latest position). */
    private readonly merge: (pending: T, next: T) => T,
    private readonly send: (value: T) => void,
    private readonly timers: PacerTimers = realTimers,
  ) {}

  /** Sends now if the interval has passed since the last send, else later (merged). */
  offer(value: T): void {
    this.pending = this.pending ? { value: this.merge(this.pending.value, value) } : { value };
    const wait = this.lastSent + this.intervalMs - this.timers.now();
    if (wait <= 0) this.flush();
    else
      this.timer ??= this.timers.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
  }

  /** Sends whatever is pending right away (end of a stroke). */
  flush(): void {
    this.cancelTimer();
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.lastSent = this.timers.now();
    this.send(p.value);
  }

  /** Drops what is pending without sending it. */
  cancel(): void {
    this.cancelTimer();
    this.pending = undefined;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
