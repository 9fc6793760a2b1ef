// One shared document (a page's ink layer, or a text page's rich text) synced with the
// server over the standard y-websocket protocol, and its connection status for the UI.
//
// Limits that matter with 250 people on a page:
// - Everyone's awareness state starts null (viewers keep it so): no presence sent, no 15 s
//   renewals relayed to everyone. The provider still needs to hear something every 30 s
//   or it reconnects, so it asks the server for its state every 20 s instead
//   (`resyncInterval`): one small answer to one socket.
// - A 4403 close means the server holds this seat read-only (the permission was turned
//   off, or never on): the provider stops (4400–4499 are final for it) and the status says
//   so; the stage opens a fresh connection when the permission changes.
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { Store } from '../../lib/store';
import { COLLAB_CLOSE_CODES } from '../../proto/closeCodes';

const resyncIntervalMs = 20_000;

export type DocStatus = 'connecting' | 'live' | 'offline' | 'refused';

export type DocState = {
  status: DocStatus;
  /** The server's state has arrived (an empty page is really empty). */
  synced: boolean;
};

export type SharedDocOptions = {
  /** ws(s)://host of the server. */
  wsOrigin: string;
  meeting: string;
  /** The document's y-websocket room name (from PageInfo). */
  name: string;
  token: string;
  /** Whether this participant expects to write to it. */
  writable: boolean;
  /** The WebSocket class (tests pass a fake). */
  WebSocketPolyfill?: typeof WebSocket;
};

/** The server URL the provider appends the document name to. */
export function collabServerUrl(wsOrigin: string, meeting: string): string {
  return `${wsOrigin}/api/v1/collab/${encodeURIComponent(meeting)}`;
}

/** The ws(s) origin of this page's server. */
export function wsOriginOf(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}`;
}

export class SharedDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly store = new Store<DocState>({ status: 'connecting', synced: false });
  private readonly cleanup: () => void;

  constructor(readonly opts: SharedDocOptions) {
    this.provider = new WebsocketProvider(collabServerUrl(opts.wsOrigin, opts.meeting), opts.name, this.doc, {
      params: { token: opts.token },
      // Another tab of the same browser must not bypass the server's read-only rule.
      disableBc: true,
      resyncInterval: resyncIntervalMs,
      connect: false,
      ...(opts.WebSocketPolyfill ? { WebSocketPolyfill: opts.WebSocketPolyfill } : {}),
    });
    this.provider.awareness.setLocalState(null);
    const update = (patch: Partial<DocState>) => {
      this.store.set({ ...this.store.get(), ...patch });
    };
    const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
      if (this.store.get().status === 'refused') return;
      update({ status: status === 'connected' ? 'live' : status === 'connecting' ? 'connecting' : 'offline' });
    };
    const onSync = (synced: boolean) => {
      update({ synced });
    };
    const onClosed = ({ code }: { code: number }) => {
      update({ status: code === COLLAB_CLOSE_CODES.read_only ? 'refused' : 'offline' });
    };
    this.provider.on('status', onStatus);
    this.provider.on('sync', onSync);
    this.provider.on('closed', onClosed);
    this.cleanup = () => {
      this.provider.off('status', onStatus);
      this.provider.off('sync', onSync);
      this.provider.off('closed', onClosed);
    };
    this.provider.connect();
  }

  /** Whether edits can reach the server now (a writer, not refused). */
  get writable(): boolean {
    return this.opts.writable && this.store.get().status !== 'refused';
  }

  destroy(): void {
    this.cleanup();
    this.provider.destroy(); // closes the socket; others drop our (null) awareness
    this.doc.destroy();
  }
}
