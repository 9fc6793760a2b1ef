// The room channel client: one WebSocket to /api/v1/room, kept alive across drops.
//
// It says hello with the join token, applies the welcome/events to a RoomState through
// the pure reducer, pings every 20 s, and after an unexpected close reconnects with
// backoff and `resume {epoch, since: lastSeq}` so nothing is lost or applied twice.
// A `bye` with a final reason ends it for good. Framework-free: React subscribes to
// `store`; tests inject a fake socket factory and fake timers.
import type { ByeReason } from '../proto/ByeReason';
import { BYE_CLOSE_CODES, RESUMABLE_BYES } from '../proto/closeCodes';
import type { ClientFrame } from '../proto/ClientFrame';
import type { ClientMsg } from '../proto/ClientMsg';
import type { LobbyReason } from '../proto/LobbyReason';
import type { RoomErrorCode } from '../proto/RoomErrorCode';
import type { ServerMsg } from '../proto/ServerMsg';
import { Store } from '../lib/store';
import { backoffDelay } from './backoff';
import { applyEvent, fromSnapshot, type RoomState } from './roomState';

/** The handlers a socket reports to; `close` is called exactly once per socket. */
export type SocketHandlers = {
  open: () => void;
  message: (data: string) => void;
  close: (code: number, reason: string) => void;
};
export type SocketLike = { send: (data: string) => void; close: (code?: number) => void };
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** The browser's WebSocket behind the SocketLike seam. */
export const browserSocket: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => {
    handlers.open();
  };
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') handlers.message(ev.data);
  };
  ws.onclose = (ev: CloseEvent) => {
    handlers.close(ev.code, ev.reason);
  };
  return {
    send: (data) => {
      ws.send(data);
    },
    close: (code) => {
      ws.close(code);
    },
  };
};

/** The room channel URL on this origin. */
export function roomUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/room`;
}

/** Why the client stopped for good. */
export type EndReason = ByeReason;

export type Phase =
  | { kind: 'connecting' }
  | { kind: 'lobby'; reason: LobbyReason; title: string }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; delayMs: number }
  | { kind: 'ended'; reason: EndReason };

export type RoomClientState = { phase: Phase; room: RoomState | undefined };

export type RoomError = { code: RoomErrorCode | 'offline'; message: string; ref?: number };

/** Server messages about media, for the media session. */
export type MediaMessage = Extract<
  ServerMsg,
  { type: 'media_answer' | 'media_slots' | 'media_layers' | 'media_undecodable' }
>;

export type RoomClientOptions = {
  url: string;
  token: string;
  createSocket?: SocketFactory;
  /** Jitter source, [0, 1]. */
  random?: () => number;
  /** Non-blocking errors (server `error` frames, commands sent while offline). */
  onError?: (error: RoomError) => void;
  /** Called once when the client ends for good. */
  onEnded?: (reason: EndReason) => void;
  pingIntervalMs?: number;
  /** With no frame at all for this long, the connection is presumed dead. */
  staleAfterMs?: number;
  /** How long to wait for the server's `bye` after `leave`. */
  leaveTimeoutMs?: number;
  now?: () => number;
};

export function isFinalBye(reason: ByeReason): boolean {
  return !RESUMABLE_BYES.has(reason);
}

export class RoomClient {
  readonly store = new Store<RoomClientState>({ phase: { kind: 'connecting' }, room: undefined });

  private readonly opts: Required<Omit<RoomClientOptions, 'onError' | 'onEnded'>> &
    Pick<RoomClientOptions, 'onError' | 'onEnded'>;
  private socket: SocketLike | undefined;
  private socketOpen = false;
  /** Bumped for every socket; callbacks from older sockets are ignored. */
  private generation = 0;
  private attempt = 0;
  private nextRef = 1;
  private lastFrameAt = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private leaveTimer: ReturnType<typeof setTimeout> | undefined;
  private leaving = false;
  private running = false;
  private readonly rejections = new Map<number, (error: RoomError) => void>();
  private readonly mediaListeners = new Set<(msg: MediaMessage) => void>();

  constructor(options: RoomClientOptions) {
    this.opts = {
      createSocket: browserSocket,
      random: Math.random,
      pingIntervalMs: 20_000,
      staleAfterMs: 50_000,
      leaveTimeoutMs: 3_000,
      now: () => Date.now(),
      ...options,
    };
  }

  get state(): RoomClientState {
    return this.store.get();
  }

  /** Connect (or reconnect after `stop`, resuming where it left off). */
  start(): void {
    if (this.running || this.state.phase.kind === 'ended') return;
    this.running = true;
    this.connect();
  }

  /** Drop the connection without leaving the meeting (page unload, unmount). */
  stop(): void {
    this.running = false;
    this.clearTimers();
    this.discardSocket(1000);
  }

  /**
   * Send a command. Returns its `ref` (echoed by a resulting error), or undefined when
   * not connected, in which case `onError` is told and the caller should keep its input.
   * `onRejected` runs if the server answers this command with an error.
   */
  send(msg: ClientMsg, onRejected?: (error: RoomError) => void): number | undefined {
    const phase = this.state.phase.kind;
    const allowed = phase === 'live' || (phase === 'lobby' && msg.type === 'leave');
    if (!this.socket || !this.socketOpen || !allowed) {
      this.opts.onError?.({ code: 'offline', message: 'Not connected right now; try again in a moment.' });
      return undefined;
    }
    const ref = this.nextRef++;
    if (onRejected) {
      this.rejections.set(ref, onRejected);
      // Errors come back promptly or never; keep only the recent few.
      for (const old of this.rejections.keys()) {
        if (this.rejections.size <= 32) break;
        this.rejections.delete(old);
      }
    }
    this.write({ ...msg, ref });
    return ref;
  }

  /** Leave for good: tell the server, then end even if its bye never arrives. */
  leave(): void {
    if (this.state.phase.kind === 'ended') return;
    this.leaving = true;
    if (this.socket && this.socketOpen) {
      this.write({ type: 'leave', ref: this.nextRef++ });
      this.leaveTimer = setTimeout(() => {
        this.end('left');
      }, this.opts.leaveTimeoutMs);
    } else {
      this.end('left');
    }
  }

  private connect(): void {
    const generation = ++this.generation;
    this.socketOpen = false;
    const current = () => generation === this.generation;
    this.socket = this.opts.createSocket(this.opts.url, {
      open: () => {
        if (current()) this.onOpen();
      },
      message: (data) => {
        if (current()) this.onFrame(data);
      },
      close: (code) => {
        if (current()) this.onClose(code);
      },
    });
  }

  private onOpen(): void {
    this.socketOpen = true;
    this.lastFrameAt = this.opts.now();
    const room = this.state.room;
    const hello: ClientFrame = room
      ? { type: 'hello', token: this.opts.token, resume: { epoch: room.epoch, since: room.seq } }
      : { type: 'hello', token: this.opts.token };
    this.write(hello);
    this.clearPing();
    this.pingTimer = setInterval(() => {
      this.tick();
    }, this.opts.pingIntervalMs);
  }

  private tick(): void {
    if (this.opts.now() - this.lastFrameAt > this.opts.staleAfterMs) {
      // Browsers can take minutes to notice a dead TCP connection: give up on it now.
      this.discardSocket(4000);
      this.reconnectLater();
      return;
    }
    this.write({ type: 'ping' });
  }

  private onFrame(data: string): void {
    this.lastFrameAt = this.opts.now();
    let msg: ServerMsg;
    try {
      msg = JSON.parse(data) as ServerMsg;
    } catch {
      return; // not ours to crash on; the server never sends this
    }
    switch (msg.type) {
      case 'welcome':
        this.onWelcome(msg);
        break;
      case 'lobby':
        this.store.set({ ...this.state, phase: { kind: 'lobby', reason: msg.reason, title: msg.title } });
        break;
      case 'event': {
        const room = this.state.room;
        if (!room) return;
        const next = applyEvent(room, msg.seq, msg.event);
        if (next === room) return;
        this.store.set({ ...this.state, room: next });
        if (next.ended) this.end('meeting_ended');
        break;
      }
      case 'error': {
        const error: RoomError =
          msg.ref === undefined
            ? { code: msg.code, message: msg.message }
            : { code: msg.code, message: msg.message, ref: msg.ref };
        this.opts.onError?.(error);
        if (msg.ref !== undefined) {
          this.rejections.get(msg.ref)?.(error);
          this.rejections.delete(msg.ref);
        }
        break;
      }
      case 'bye':
        if (isFinalBye(msg.reason)) this.end(msg.reason);
        // A resumable bye: the close follows, and onClose reconnects.
        break;
      case 'pong':
        break;
      case 'media_answer':
      case 'media_slots':
      case 'media_layers':
      case 'media_undecodable':
        for (const listener of this.mediaListeners) listener(msg);
        break;
    }
  }

  /** Subscribes to media signalling (answers, slot maps, layers); returns the unsubscribe. */
  onMedia(listener: (msg: MediaMessage) => void): () => void {
    this.mediaListeners.add(listener);
    return () => this.mediaListeners.delete(listener);
  }

  private onWelcome(msg: Extract<ServerMsg, { type: 'welcome' }>): void {
    this.attempt = 0;
    const room = this.state.room;
    if (msg.snapshot) {
      this.store.set({ phase: { kind: 'live' }, room: fromSnapshot(msg.epoch, msg.seq, msg.snapshot) });
    } else if (room?.epoch === msg.epoch) {
      // Resumed: the missed events follow on this socket, deduplicated by seq.
      this.store.set({ ...this.state, phase: { kind: 'live' } });
    } else {
      // A resume we cannot apply (no state, or another epoch) and no snapshot: start over.
      this.store.set({ ...this.state, room: undefined });
      this.discardSocket(4000);
      this.reconnectLater();
    }
  }

  private onClose(code: number): void {
    this.socket = undefined;
    this.socketOpen = false;
    this.clearPing();
    if (this.state.phase.kind === 'ended') return;
    if (this.leaving) {
      this.end('left');
      return;
    }
    // The close code says the same as the bye, in case the bye frame itself was lost.
    const reason = BYE_CLOSE_CODES[code];
    if (reason && isFinalBye(reason)) {
      this.end(reason);
      return;
    }
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (!this.running) return;
    const delayMs = backoffDelay(this.attempt, this.opts.random);
    const attempt = ++this.attempt;
    this.store.set({ ...this.state, phase: { kind: 'reconnecting', attempt, delayMs } });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) this.connect();
    }, delayMs);
  }

  private end(reason: EndReason): void {
    if (this.state.phase.kind === 'ended') return;
    this.running = false;
    this.clearTimers();
    this.discardSocket(1000);
    this.store.set({ ...this.state, phase: { kind: 'ended', reason } });
    this.opts.onEnded?.(reason);
  }

  private write(frame: ClientFrame): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close handler takes over.
    }
  }

  /** Forget the current socket (its late callbacks are ignored) and close it. */
  private discardSocket(code: number): void {
    const socket = this.socket;
    this.generation++;
    this.socket = undefined;
    this.socketOpen = false;
    this.clearPing();
    try {
      socket?.close(code);
    } catch {
      // already closed
    }
  }

  private clearPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private clearTimers(): void {
    this.clearPing();
    clearTimeout(this.retryTimer);
    clearTimeout(this.leaveTimer);
    this.retryTimer = undefined;
    this.leaveTimer = undefined;
  }
}
