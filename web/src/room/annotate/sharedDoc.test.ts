import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedDoc } from './sharedDoc';

/** A WebSocket stand-in: records the URLs opened; the test opens and closes them. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
  onerror: (() => void) | null = null;
  sent: Uint8Array[] = [];
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  serverClose(code: number, reason: string) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const docs: SharedDoc[] = [];
afterEach(() => {
  for (const d of docs.splice(0)) d.destroy();
  FakeSocket.opened = [];
  vi.useRealTimers();
});

function open(writable: boolean) {
  const d = new SharedDoc({
    wsOrigin: 'ws://confab.test',
    meeting: 'm1',
    name: 'board:b1',
    token: 't0k',
    writable,
    WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket,
  });
  docs.push(d);
  return d;
}

describe('SharedDoc', () => {
  it('connects to the documented URL with the join token', () => {
    open(true);
    expect(FakeSocket.opened.map((s) => s.url)).toEqual(['ws://confab.test/api/v1/collab/m1/board:b1?token=t0k']);
  });

  it('keeps its awareness empty, so a viewer sends no presence', () => {
    const d = open(false);
    expect(d.provider.awareness.getLocalState()).toBeNull();
    FakeSocket.opened[0]?.open();
    expect(d.store.get().status).toBe('live');
    // Sync step 1 only: no awareness frame (message type 1) follows it.
    expect(FakeSocket.opened[0]?.sent.map((m) => m[0])).toEqual([0]);
  });

  it('stops for good on a 4403 refusal: read-only, and no reconnect loop', () => {
    vi.useFakeTimers();
    const d = open(true);
    FakeSocket.opened[0]?.open();
    expect(d.writable).toBe(true);
    FakeSocket.opened[0]?.serverClose(4403, 'read-only');
    expect(d.store.get().status).toBe('refused');
    expect(d.writable).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it('reconnects after an ordinary drop', () => {
    vi.useFakeTimers();
    const d = open(true);
    FakeSocket.opened[0]?.open();
    FakeSocket.opened[0]?.serverClose(1006, '');
    expect(d.store.get().status).toBe('offline');
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.opened.length).toBeGreaterThan(1);
  });
});
