// The centre of the room: the page on stage for everyone, with its annotation layer;
// who presents and the hand-over; the presenter's controls (upload, whiteboards and text
// pages, present, turn and arrange pages); browsing on one's own where permitted; export.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { DocumentInfo } from '../../proto/DocumentInfo';
import type { PageInfo } from '../../proto/PageInfo';
import type { Stage as StageState } from '../../proto/Stage';
import { Icon } from '../../components/Icon';
import { problemText } from '../../lib/api';
import { showToast } from '../../lib/toasts';
import { useStore } from '../../lib/useStore';
import type { Annotator, OpenPage } from '../annotate/annotator';
import type { ContentClient } from '../contentClient';
import { canCaptureScreen, captureScreenFrame } from '../snapshot';
import type { RoomState } from '../roomState';
import { AnnotatedPage } from './AnnotatedPage';
import { AnnotationToolbar } from './AnnotationToolbar';
import { PresenterBar } from './PresenterBar';

type Props = {
  room: RoomState;
  isPresenter: boolean;
  content: ContentClient;
  annotator: Annotator;
  send: (msg: ClientMsg) => void;
};

const laserColor = '#ef4444';

// The rich-text editor is most of the client's weight: loaded when a text page first shows.
const TextSurface = lazy(() => import('./TextPage').then((m) => ({ default: m.TextSurface })));

export function Stage({ room, isPresenter, content, annotator, send }: Props) {
  // Who may show pages to everyone: the presenter, or any presenter while nobody presents.
  const drives = isPresenter && (room.presenter === undefined || room.presenter === room.you.id);
  // Anyone else who may browse sees `own` (their own page) until they go back.
  const [own, setOwn] = useState<StageState | undefined>(undefined);
  const mayBrowse = isPresenter || room.permissions.browse_independently;
  // A page of one's own that was removed meanwhile falls back to the stage.
  const ownExists = own !== undefined && room.documents.some((d) => d.id === own.document && own.page < d.pages.length);
  const shown = (mayBrowse && !drives && ownExists ? own : undefined) ?? room.stage;
  const doc = shown ? room.documents.find((d) => d.id === shown.document) : undefined;
  const info = shown && doc ? doc.pages[shown.page] : undefined;
  const mayAnnotate = isPresenter || room.permissions.annotate;
  const mayExport = isPresenter || room.permissions.export_content;

  const ink = info?.collab;
  const text = info?.text;
  const you = room.you.id;
  useEffect(() => {
    annotator.show(
      ink ? { ink, text, mayDraw: mayAnnotate, mayType: isPresenter, author: you, laserColor } : undefined,
    );
    return () => {
      annotator.show(undefined);
    };
  }, [annotator, ink, text, mayAnnotate, isPresenter, you]);
  const open = useStore(annotator.current);

  const go = (page: number) => {
    if (!doc || page < 0 || page >= doc.pages.length) return;
    if (drives) send({ type: 'show_page', document: doc.id, page });
    else setOwn({ document: doc.id, page });
  };
  const presenting = <PresenterBar room={room} isPresenter={isPresenter} send={send} />;
  const awayFromStage =
    !drives && own && room.stage && (own.document !== room.stage.document || own.page !== room.stage.page);

  return (
    <section className="stage" aria-label="Stage">
      {isPresenter && <DocumentBar room={room} content={content} send={send} drives={drives} />}
      {shown && doc && info ? (
        <PageSurface
          lead={presenting}
          annotator={annotator}
          open={open?.connection.name === info.collab ? open : undefined}
          content={content}
          doc={doc}
          info={info}
          mayAnnotate={mayAnnotate}
        />
      ) : (
        <>
          <div className="stage-bar">{presenting}</div>
          <div className="empty-state">
            <Icon name="stage" size={40} />
            <h2>Nothing is being shared</h2>
            <p className="muted">
              {isPresenter
                ? 'Upload a document, or start a whiteboard or a text page, and present it.'
                : 'When a presenter shares content, it appears here.'}
            </p>
          </div>
        </>
      )}
      {isPresenter && shown && doc?.status.state === 'ready' && doc.kind === 'upload' && (
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
          {drives && doc.kind !== 'upload' && <PageArranger doc={doc} page={shown.page} send={send} />}
          {mayExport && <ExportButton content={content} doc={doc} />}
          {awayFromStage && (
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

type SurfaceProps = {
  /** What leads the bar above the page (who presents). */
  lead: ReactNode;
  annotator: Annotator;
  open: OpenPage | undefined;
  content: ContentClient;
  doc: DocumentInfo;
  info: PageInfo;
  mayAnnotate: boolean;
};

/** The page itself with its tools: drawing tools for writers, and typing on text pages. */
function PageSurface({ lead, annotator, open, content, doc, info, mayAnnotate }: SurfaceProps) {
  const label = `${doc.name}, page ${info.index + 1}`;
  // Not containing `label`, so a search for the page by its name finds the page alone.
  const inkLabel = `Annotations on page ${info.index + 1} of ${doc.name}`;
  const size = { width: info.width, height: info.height };
  const tools = open && mayAnnotate ? <AnnotationToolbar annotator={annotator} open={open} /> : null;
  if (doc.kind === 'text' && open?.text)
    return (
      <Suspense fallback={<div className="stage-bar">{lead}</div>}>
        <TextSurface
          key={open.key}
          lead={lead}
          open={open}
          text={open.text}
          size={size}
          inkLabel={inkLabel}
          tools={tools}
        />
      </Suspense>
    );
  return (
    <>
      <div className="stage-bar">
        {lead}
        {tools}
      </div>
      <AnnotatedPage open={open} size={size} drawing inkLabel={inkLabel}>
        {() =>
          doc.kind === 'upload' ? (
            <PageImage content={content} doc={doc} page={info.index} label={label} />
          ) : (
            <div className="whiteboard-page" role="img" aria-label={label} />
          )
        }
      </AnnotatedPage>
    </>
  );
}

/** One page image, with the next one fetched ahead so flipping is instant. */
function PageImage({
  content,
  doc,
  page,
  label,
}: {
  content: ContentClient;
  doc: DocumentInfo;
  page: number;
  label: string;
}) {
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
  return current?.src ? <img src={current.src} alt={label} /> : null;
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

/** Add, move and remove pages of a whiteboard or text document (the presenter). */
function PageArranger({ doc, page, send }: { doc: DocumentInfo; page: number; send: (msg: ClientMsg) => void }) {
  const last = doc.pages.length - 1;
  return (
    <>
      <button type="button" className="btn" onClick={() => send({ type: 'add_page', document: doc.id })}>
        Add page
      </button>
      <button
        type="button"
        className="btn"
        disabled={page === 0}
        onClick={() => send({ type: 'move_page', document: doc.id, from: page, to: page - 1 })}
      >
        Move page earlier
      </button>
      <button
        type="button"
        className="btn"
        disabled={page === last}
        onClick={() => send({ type: 'move_page', document: doc.id, from: page, to: page + 1 })}
      >
        Move page later
      </button>
      <button
        type="button"
        className="btn"
        disabled={last === 0}
        onClick={() => send({ type: 'remove_page', document: doc.id, page })}
      >
        Remove page
      </button>
    </>
  );
}

/** Downloads the document with everyone's annotations as a PDF. */
function ExportButton({ content, doc }: { content: ContentClient; doc: DocumentInfo }) {
  const [busy, setBusy] = useState(false);
  const run = () => {
    setBusy(true);
    content
      .exportPdf(doc.id)
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = `${doc.name.replace(/\.[^.]+$/, '')}.pdf`;
        a.click();
        // The download has its own copy once started; the URL is no longer needed.
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      })
      .catch((e: unknown) => showToast(`Export failed: ${problemText(e)}`, 'error'))
      .finally(() => setBusy(false));
  };
  return (
    <button type="button" className="btn" onClick={run} disabled={busy}>
      {busy ? 'Exporting…' : 'Export PDF'}
    </button>
  );
}

/** The presenter's documents: upload, conversion progress, new whiteboards and text pages, present. */
function DocumentBar({ room, content, send, drives }: Omit<Props, 'isPresenter' | 'annotator'> & { drives: boolean }) {
  const [uploading, setUploading] = useState(false);
  const snapshot = () => {
    captureScreenFrame().then(upload, (e: unknown) => {
      // Cancelling the browser's picker is not an error worth a message.
      if (!(e instanceof DOMException && e.name === 'NotAllowedError')) showToast(problemText(e), 'error');
    });
  };
  const upload = (file: File | undefined, input?: HTMLInputElement) => {
    if (!file) return;
    setUploading(true);
    content
      .upload(file)
      .catch((e: unknown) => showToast(`${file.name}: ${problemText(e)}`, 'error'))
      .finally(() => {
        setUploading(false);
        if (input) input.value = '';
      });
  };
  const count = (kind: DocumentInfo['kind']) => room.documents.filter((d) => d.kind === kind).length + 1;
  return (
    <div className="document-bar">
      <input
        id="document-upload"
        type="file"
        className="visually-hidden"
        onChange={(e) => upload(e.target.files?.[0], e.target)}
      />
      <label htmlFor="document-upload" className="btn">
        {uploading ? 'Uploading…' : 'Upload a document'}
      </label>
      {canCaptureScreen() && (
        <button type="button" className="btn" onClick={snapshot} disabled={uploading}>
          Take a snapshot
        </button>
      )}
      {drives && (
        <>
          <button
            type="button"
            className="btn"
            onClick={() =>
              send({ type: 'new_document', kind: 'whiteboard', name: `Whiteboard ${count('whiteboard')}` })
            }
          >
            New whiteboard
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => send({ type: 'new_document', kind: 'text', name: `Text page ${count('text')}` })}
          >
            New text page
          </button>
        </>
      )}
      <ul className="document-list" aria-label="Documents">
        {room.documents.map((d) => (
          <li key={d.id} className="document-item">
            <span className="document-name">{d.name}</span>
            <span className="muted small">{statusText(d)}</span>
            {drives && d.pages.length > 0 && d.status.state !== 'failed' && (
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
