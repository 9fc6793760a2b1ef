import { describe, expect, it, vi } from 'vitest';
import { Pacer } from './pacer';

function fakeTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        const id = nextId++;
        queue.push({ at: now + ms, fn, id });
        return id;
      },
      clearTimeout: (h: unknown) => {
        const i = queue.findIndex((t) => t.id === h);
        if (i >= 0) queue.splice(i, 1);
      },
    },
    advance(ms: number) {
      now += ms;
      for (const t of queue.filter((t) => t.at <= now)) {
        queue.splice(queue.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

describe('Pacer', () => {
  it('sends the first value at once and batches the rest until the interval passes', () => {
    const clock = fakeTimers();
    const send = vi.fn<(v: number[]) => void>();
    const pacer = new Pacer<number[]>(50, (a, b) => a.concat(b), send, clock.timers);
    pacer.offer([1]);
    expect(send).toHaveBeenCalledWith([1]);
    clock.advance(10);
    pacer.offer([2]);
    clock.advance(10);
    pacer.offer([3]);
    expect(send).toHaveBeenCalledTimes(1);
    clock.advance(30);
    expect(send).toHaveBeenLastCalledWith([2, 3]);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('bounds the rate: 100 offers over one second become about 20 sends', () => {
    const clock = fakeTimers();
    const send = vi.fn();
    const pacer = new Pacer<number[]>(50, (a, b) => a.concat(b), send, clock.timers);
    for (let i = 0; i < 100; i++) {
      pacer.offer([i]);
      clock.advance(10);
    }
    pacer.flush();
    expect(send.mock.calls.length).toBeLessThanOrEqual(21);
    expect(send.mock.calls.flatMap((c) => c[0] as number[])).toEqual([...Array(100).keys()]);
  });

  it('keeps only the latest value when merging says so (laser positions)', () => {
    const clock = fakeTimers();
    const send = vi.fn();
    const pacer = new Pacer<string>(100, (_, b) => b, send, clock.timers);
    pacer.offer('a');
    pacer.offer('b');
    pacer.offer('c');
    clock.advance(100);
    expect(send.mock.calls).toEqual([['a'], ['c']]);
  });

  it('flush sends what is pending now; cancel drops it', () => {
    const clock = fakeTimers();
    const send = vi.fn();
    const pacer = new Pacer<string>(100, (_, b) => b, send, clock.timers);
    pacer.offer('a');
    pacer.offer('b');
    pacer.flush();
    expect(send).toHaveBeenLastCalledWith('b');
    pacer.offer('c');
    pacer.cancel();
    clock.advance(500);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
