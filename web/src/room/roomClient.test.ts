// Tests of the room client's connection life: hello, resume after drops, backoff,
// ping, final byes and leave. A fake socket factory stands in for WebSocket; fake
// timers stand in for the clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFrame } from '../proto/ClientFrame';
import type { RoomEvent } from '../proto/RoomEvent';
import type { ServerMsg } from '../proto/ServerMsg';
import { RoomClient, type RoomError, type SocketFactory, type SocketHandlers } from './roomClient';
import { message, person, snapshot } from './testFixtures';

class FakeSocket {
  sent: ClientFrame[] = [];
  closedWith: number | undefined;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
  }
  // Server side:
  open(): void {
    this.handlers.open();
  }
  receive(msg: ServerMsg): void {
    this.handlers.message(JSON.stringify(msg));
  }
  drop(code = 1006): void {
    this.handlers.close(code, '');
  }
}

const me = person('p-me', 'Me', 'attendee');
const boss = person('p-boss', 'Boss', 'organizer');

function event(seq: number, ev: RoomEvent): ServerMsg {
  return { type: 'event', seq, event: ev };
}
function chat(seq: number, id: number): ServerMsg {
  return event(seq, { type: 'chat', message: message(id, boss, { kind: 'everyone' }) });
}

function setup(extra: { onError?: (e: RoomError) => void } = {}) {
  const sockets: FakeSocket[] = [];
  const factory: SocketFactory = (url, handlers) => {
    const s = new FakeSocket(url, handlers);
    sockets.push(s);
    return s;
  };
  const ended: string[] = [];
  const client = new RoomClient({
    url: 'ws://test/api/v1/room',
    token: 'tok',
    createSocket: factory,
    random: () => 1, // no jitter: delays are exactly the ceiling
    now: () => Date.now(),
    onEnded: (r) => ended.push(r),
    ...extra,
  });
  const last = () => {
    const s = sockets[sockets.length - 1];
    if (!s) throw new Error('no socket yet');
    return s;
  };
  const welcome = (seq = 10) => {
    last().open();
    last().receive({ type: 'welcome', protocol: 1, epoch: 'E1', you: me.id, seq, snapshot: snapshot(me, [boss]) });
  };
  return { client, sockets, last, welcome, ended };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoomClient', () => {
  it('says hello with the token first and goes live on a welcome with snapshot', () => {
    const { client, last, welcome } = setup();
    client.start();
    expect(client.state.phase.kind).toBe('connecting');
    welcome(10);
    expect(last().sent[0]).toEqual({ type: 'hello', token: 'tok' });
    expect(client.state.phase.kind).toBe('live');
    expect(client.state.room?.seq).toBe(10);
    expect(client.state.room?.title).toBe('Weekly sync');
  });

  it('waits in the lobby, then goes live when admitted on the same socket', () => {
    const { client, last, sockets } = setup();
    client.start();
    last().open();
    last().receive({ type: 'lobby', reason: 'awaiting_admission', title: 'Weekly sync' });
    expect(client.state.phase).toEqual({ kind: 'lobby', reason: 'awaiting_admission', title: 'Weekly sync' });
    last().receive({ type: 'welcome', protocol: 1, epoch: 'E1', you: me.id, seq: 3, snapshot: snapshot(me) });
    expect(client.state.phase.kind).toBe('live');
    expect(sockets).toHaveLength(1);
  });

  it('reconnects after a drop and resumes from the last applied seq', () => {
    const { client, last, sockets, welcome } = setup();
    client.start();
    welcome(10);
    last().receive(chat(11, 1));
    last().receive(chat(12, 2));
    last().drop();
    expect(client.state.phase).toEqual({ kind: 'reconnecting', attempt: 1, delayMs: 250 });
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', token: 'tok', resume: { epoch: 'E1', since: 12 } });
  });

  it('applies missed events after a resume without losing or repeating any', () => {
    const { client, last, welcome } = setup();
    client.start();
    welcome(10);
    last().receive(chat(11, 1));
    last().drop();
    vi.advanceTimersByTime(250);
    last().open();
    last().receive({ type: 'welcome', protocol: 1, epoch: 'E1', you: me.id, seq: 11 });
    expect(client.state.phase.kind).toBe('live');
    // The server replays from the boundary; 11 is a duplicate.
    last().receive(chat(11, 1));
    last().receive(chat(12, 2));
    last().receive(chat(13, 3));
    expect(client.state.room?.chat.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(client.state.room?.seq).toBe(13);
  });

  it('takes a fresh snapshot when the server cannot resume', () => {
    const { client, last, welcome } = setup();
    client.start();
    welcome(10);
    last().receive(chat(11, 1));
    last().drop();
    vi.advanceTimersByTime(250);
    last().open();
    last().receive({
      type: 'welcome',
      protocol: 1,
      epoch: 'E2',
      you: me.id,
      seq: 2,
      snapshot: snapshot(me, [], { title: 'Renamed' }),
    });
    expect(client.state.room?.epoch).toBe('E2');
    expect(client.state.room?.seq).toBe(2);
    expect(client.state.room?.chat).toHaveLength(0);
    last().receive(chat(3, 5));
    expect(client.state.room?.chat.map((m) => m.id)).toEqual([5]);
  });

  it('backs off 250 ms doubling to 5 s, and resets after a welcome', () => {
    const { client, last, welcome } = setup();
    client.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      const phase = client.state.phase;
      if (phase.kind !== 'reconnecting') throw new Error('expected reconnecting');
      delays.push(phase.delayMs);
      vi.advanceTimersByTime(phase.delayMs);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    welcome(1);
    last().drop();
    expect(client.state.phase).toMatchObject({ kind: 'reconnecting', delayMs: 250 });
  });

  it('jitters delays between half and all of the ceiling', () => {
    const sockets: FakeSocket[] = [];
    const client = new RoomClient({
      url: 'ws://x',
      token: 't',
      random: () => 0,
      createSocket: (url, h) => {
        const s = new FakeSocket(url, h);
        sockets.push(s);
        return s;
      },
    });
    client.start();
    sockets[0]?.drop();
    expect(client.state.phase).toMatchObject({ delayMs: 125 });
  });

  it('pings every 20 s while connected', () => {
    const { client, last, welcome } = setup();
    client.start();
    welcome();
    vi.advanceTimersByTime(20_000);
    expect(last().sent.filter((f) => f.type === 'ping')).toHaveLength(1);
    last().receive({ type: 'pong' });
    vi.advanceTimersByTime(20_000);
    expect(last().sent.filter((f) => f.type === 'ping')).toHaveLength(2);
  });

  it('treats a silent connection as dead and reconnects', () => {
    const { client, last, sockets, welcome } = setup();
    client.start();
    welcome();
    vi.advanceTimersByTime(60_000); // no pongs at all
    expect(sockets[0]?.closedWith).toBeDefined();
    expect(client.state.phase.kind).toBe('reconnecting');
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent[0]).toMatchObject({ resume: { epoch: 'E1', since: 10 } });
  });

  it('ends for good on a final bye and does not reconnect', () => {
    const { client, last, sockets, welcome, ended } = setup();
    client.start();
    welcome();
    last().receive({ type: 'bye', reason: 'removed' });
    last().drop(4003);
    vi.advanceTimersByTime(10_000);
    expect(client.state.phase).toEqual({ kind: 'ended', reason: 'removed' });
    expect(sockets).toHaveLength(1);
    expect(ended).toEqual(['removed']);
  });

  it('maps a final close code to its reason when the bye frame was lost', () => {
    const { client, last, welcome } = setup();
    client.start();
    welcome();
    last().drop(4006);
    expect(client.state.phase).toEqual({ kind: 'ended', reason: 'meeting_full' });
  });

  it('reconnects and resumes after a resumable bye', () => {
    const { client, last, sockets, welcome } = setup();
    client.start();
    welcome(10);
    last().receive({ type: 'bye', reason: 'server_shutdown' });
    last().drop(1012);
    expect(client.state.phase.kind).toBe('reconnecting');
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent[0]).toMatchObject({ resume: { since: 10 } });
  });

  it('ends when the meeting ends', () => {
    const { client, last, welcome, ended } = setup();
    client.start();
    welcome(10);
    last().receive(event(11, { type: 'meeting_ended' }));
    expect(client.state.phase).toEqual({ kind: 'ended', reason: 'meeting_ended' });
    expect(ended).toEqual(['meeting_ended']);
  });

  it('sends commands with increasing refs and reports server errors', () => {
    const errors: RoomError[] = [];
    const { client, last, welcome } = setup({ onError: (e) => errors.push(e) });
    client.start();
    welcome();
    const r1 = client.send({ type: 'raise_hand', raised: true });
    const r2 = client.send({ type: 'send_chat', to: { kind: 'everyone' }, text: 'hi' });
    expect(r2).toBe((r1 ?? 0) + 1);
    expect(last().sent.slice(1)).toEqual([
      { type: 'raise_hand', raised: true, ref: r1 },
      { type: 'send_chat', to: { kind: 'everyone' }, text: 'hi', ref: r2 },
    ]);
    last().receive({ type: 'error', code: 'rate_limited', message: 'Slow down', ref: r2 });
    expect(errors).toEqual([{ code: 'rate_limited', message: 'Slow down', ref: r2 }]);
    expect(client.state.phase.kind).toBe('live');
  });

  it('calls the rejection callback of the command an error answers', () => {
    const { client, last, welcome } = setup();
    client.start();
    welcome();
    const rejected: string[] = [];
    const ref = client.send({ type: 'send_chat', to: { kind: 'everyone' }, text: 'hi' }, (e) => rejected.push(e.code));
    client.send({ type: 'raise_hand', raised: true }, () => rejected.push('wrong one'));
    last().receive({ type: 'error', code: 'too_long', message: 'Too long', ref });
    expect(rejected).toEqual(['too_long']);
  });

  it('refuses commands while offline so the caller can keep its input', () => {
    const errors: RoomError[] = [];
    const { client, last, welcome } = setup({ onError: (e) => errors.push(e) });
    client.start();
    welcome();
    last().drop();
    expect(client.send({ type: 'send_chat', to: { kind: 'everyone' }, text: 'lost?' })).toBeUndefined();
    expect(errors[0]?.code).toBe('offline');
  });

  it('leaves: sends leave, ends on the bye and never reconnects', () => {
    const { client, last, sockets, welcome } = setup();
    client.start();
    welcome();
    client.leave();
    expect(last().sent[last().sent.length - 1]).toMatchObject({ type: 'leave' });
    last().receive({ type: 'bye', reason: 'left' });
    last().drop(4010);
    expect(client.state.phase).toEqual({ kind: 'ended', reason: 'left' });
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
  });

  it('leaves even if the bye never comes', () => {
    const { client, welcome } = setup();
    client.start();
    welcome();
    client.leave();
    vi.advanceTimersByTime(3_000);
    expect(client.state.phase).toEqual({ kind: 'ended', reason: 'left' });
  });

  it('ignores frames from a socket it has replaced', () => {
    const { client, sockets, last, welcome } = setup();
    client.start();
    welcome(10);
    const old = sockets[0];
    last().drop();
    vi.advanceTimersByTime(250);
    old?.receive(chat(11, 1));
    expect(client.state.room?.chat).toHaveLength(0);
  });

  it('resumes after stop and start (as React StrictMode does)', () => {
    const { client, last, sockets, welcome } = setup();
    client.start();
    welcome(10);
    client.stop();
    expect(sockets[0]?.closedWith).toBe(1000);
    client.start();
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent[0]).toMatchObject({ resume: { epoch: 'E1', since: 10 } });
  });
});
