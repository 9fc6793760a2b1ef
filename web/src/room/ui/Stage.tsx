// The centre of the room: the page on stage for everyone, the presenter's controls
// (upload, present, previous/next), and browsing on one's own where permitted.
import { useEffect, useRef, useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { DocumentInfo } from '../../proto/DocumentInfo';
import type { Stage as StageState } from '../../proto/Stage';
import { Icon } from '../../components/Icon';
import { problemText } from '../../lib/api';
import { showToast } from '../../lib/toasts';
import type { ContentClient } from '../contentClient';
import { canCaptureScreen, captureScreenFrame } from '../snapshot';
import type { RoomState } from '../roomState';

type Props = {
  room: RoomState;
  isPresenter: boolean;
  content: ContentClient;
  send: (msg: ClientMsg) => void;
};

export function Stage({ room, isPresenter, content, send }: Props) {
  // An attendee browsing on their own sees `own`; otherwise the stage.
  const [own, setOwn] = useState<StageState | undefined>(undefined);
  const mayBrowse = isPresenter || room.permissions.browse_independently;
  const shown = (mayBrowse && !isPresenter ? own : undefined) ?? room.stage;
  const doc = shown ? room.documents.find((d) => d.id === shown.document) : undefined;

  const go = (page: number) => {
    if (!doc || page < 0 || page >= doc.pages.length) return;
    if (isPresenter) send({ type: 'show_page', document: doc.id, page });
    else setOwn({ document: doc.id, page });
  };

  return (
    <section className="stage" aria-label="Stage">
      {isPresenter && <DocumentBar room={room} content={content} send={send} />}
      {shown && doc ? (
        <PageView content={content} doc={doc} page={shown.page} />
      ) : (
        <div className="empty-state">
          <Icon name="stage" size={40} />
          <h2>Nothing is being shared</h2>
          <p className="muted">
            {isPresenter ? 'Upload a document and present it.' : 'When a presenter shares content, it appears here.'}
          </p>
        </div>
      )}
      {isPresenter && shown && doc?.status.state === 'ready' && (
        <SpeakerNotes content={content} doc={doc} page={shown.page} />
      )}
      {shown && doc && (
        <div className="stage-nav">
          {mayBrowse && (
            <button type="button" className="btn" onClick={() => go(shown.page - 1)} disabled={shown.page === 0}>
              Previous page
            </button>
          )}
          <span className="muted" aria-live="polite">
            {pageLabel(doc, shown.page)}
          </span>
          {mayBrowse && (
            <button
              type="button"
              className="btn"
              onClick={() => go(shown.page + 1)}
              disabled={shown.page + 1 >= doc.pages.length}
            >
              Next page
            </button>
          )}
          {!isPresenter &&
            own &&
            room.stage &&
            (own.document !== room.stage.document || own.page !== room.stage.page) && (
              <button type="button" className="btn btn-primary" onClick={() => setOwn(undefined)}>
                Back to presenter
              </button>
            )}
        </div>
      )}
    </section>
  );
}

function pageLabel(doc: DocumentInfo, page: number): string {
  const info = doc.pages[page];
  const base = `Page ${page + 1} of ${doc.pages.length}`;
  const steps = info?.slide === undefined ? 0 : doc.pages.filter((p) => p.slide === info.slide).length;
  return steps > 1 && info ? `${base} (slide ${info.slide}, step ${(info.step ?? 0) + 1} of ${steps})` : base;
}

/** One page image, with the next one fetched ahead so flipping is instant. */
function PageView({ content, doc, page }: { content: ContentClient; doc: DocumentInfo; page: number }) {
  const key = `${doc.id}/${page}`;
  const [loaded, setLoaded] = useState<{ key: string; src?: string; failed?: boolean }>({ key: '' });
  useEffect(() => {
    let live = true;
    content.pageUrl(doc.id, page, 'large').then(
      (src) => live && setLoaded({ key, src }),
      () => live && setLoaded({ key, failed: true }),
    );
    if (page + 1 < doc.pages.length) void content.pageUrl(doc.id, page + 1, 'large').catch(() => undefined);
    return () => {
      live = false;
    };
  }, [content, doc.id, doc.pages.length, page, key]);
  const current = loaded.key === key ? loaded : undefined;
  if (current?.failed) return <div className="alert">This page could not be loaded.</div>;
  return (
    <div className="stage-page">{current?.src && <img src={current.src} alt={`${doc.name}, page ${page + 1}`} />}</div>
  );
}

/** The notes of the page on stage, for presenters (decks with notes only). */
function SpeakerNotes({ content, doc, page }: { content: ContentClient; doc: DocumentInfo; page: number }) {
  const [notes, setNotes] = useState<{ doc: string; byPage: Record<string, string> } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    content.notes(doc.id).then(
      (byPage) => live && setNotes({ doc: doc.id, byPage }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [content, doc.id]);
  const text = notes?.doc === doc.id ? notes.byPage[String(page)] : undefined;
  if (!text) return null;
  return (
    <aside className="speaker-notes" aria-label="Speaker notes">
      {text}
    </aside>
  );
}

/** The presenter's documents: upload, conversion progress, present. */
function DocumentBar({ room, content, send }: Omit<Props, 'isPresenter'>) {
  const input = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  const snapshot = () => {
    captureScreenFrame().then(upload, (e: unknown) => {
      // Cancelling the browser's picker is not an error worth a message.
      if (!(e instanceof DOMException && e.name === 'NotAllowedError')) showToast(problemText(e), 'error');
    });
  };
  const upload = (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    content
      .upload(file)
      .catch((e: unknown) => showToast(`${file.name}: ${problemText(e)}`, 'error'))
      .finally(() => {
        setUploading(false);
        if (input.current) input.current.value = '';
      });
  };
  return (
    <div className="document-bar">
      <input
        ref={input}
        id="document-upload"
        type="file"
        className="visually-hidden"
        onChange={(e) => upload(e.target.files?.[0])}
      />
      <label htmlFor="document-upload" className="btn">
        {uploading ? 'Uploading…' : 'Upload a document'}
      </label>
      {canCaptureScreen() && (
        <button type="button" className="btn" onClick={snapshot} disabled={uploading}>
          Take a snapshot
        </button>
      )}
      <ul className="document-list" aria-label="Documents">
        {room.documents.map((d) => (
          <li key={d.id} className="document-item">
            <span className="document-name">{d.name}</span>
            <span className="muted small">{statusText(d)}</span>
            {d.pages.length > 0 && d.status.state !== 'failed' && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => send({ type: 'show_page', document: d.id, page: 0 })}
                aria-label={`Present ${d.name}`}
              >
                Present
              </button>
            )}
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => send({ type: 'remove_document', document: d.id })}
              aria-label={`Remove ${d.name}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function statusText(d: DocumentInfo): string {
  switch (d.status.state) {
    case 'converting':
      return `Converting… ${d.pages.length} page${d.pages.length === 1 ? '' : 's'} ready`;
    case 'ready':
      return `${d.pages.length} page${d.pages.length === 1 ? '' : 's'}`;
    case 'failed':
      return `Failed: ${d.status.error}`;
  }
}
