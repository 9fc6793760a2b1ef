// A tiny observable value: the seam between framework-free logic and React.
// Modules own a Store and replace its value immutably; React reads it with
// useStore (useSyncExternalStore). Not a state-management framework: no selectors,
// no middleware, no batching beyond "one notification per set".

export type Listener = () => void;

export class Store<T> {
  private value: T;
  private readonly listeners = new Set<Listener>();

  constructor(initial: T) {
    this.value = initial;
  }

  /** The current value; stable identity until the next `set`. */
  readonly get = (): T => this.value;

  /** Replace the value and notify subscribers (skipped when nothing changed). */
  set(next: T): void {
    if (Object.is(next, this.value)) return;
    this.value = next;
    for (const listener of [...this.listeners]) listener();
  }

  update(fn: (current: T) => T): void {
    this.set(fn(this.value));
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}
