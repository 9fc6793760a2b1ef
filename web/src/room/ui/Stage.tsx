// The centre of the room: the page on stage for everyone, with its annotation layer;
// who presents and the hand-over; turning and arranging pages; browsing on one's own
// where permitted; export. Documents themselves are listed in the documents panel.
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
import type { Rights } from '../rights';
import type { RoomState } from '../roomState';
import { AnnotatedPage } from './AnnotatedPage';
import { AnnotationToolbar } from './AnnotationToolbar';
import { ShareActions, type DocumentActions } from './DocumentsPanel';
import { PresenterBar } from './PresenterBar';

type Props = {
  room: RoomState;
  rights: Rights;
  actions: DocumentActions;
  /** Your own page while browsing (from `useShownPage`, which the room view also reads). */
  browsing: ShownPage;
  content: ContentClient;
  annotator: Annotator;
  send: (msg: ClientMsg) => void;
};

const laserColor = '#ef4444';

// The rich-text editor is most of the client's weight: loaded when a text page first shows.
const TextSurface = lazy(() => import('./TextPage').then((m) => ({ default: m.TextSurface })));

/** What the stage shows you: your own page while browsing, else the shared one. */
export type ShownPage = ReturnType<typeof useShownPage>;

export function useShownPage(room: RoomState, rights: Rights) {
  const [own, setOwn] = useState<StageState | undefined>(undefined);
  // A page of one's own that was removed meanwhile falls back to the stage.
  const ownExists = own !== undefined && room.documents.some((d) => d.id === own.document && own.page < d.pages.length);
  const shown = (rights.browse && !rights.drivesStage && ownExists ? own : undefined) ?? room.stage;
  return { own, setOwn, shown };
}

export function Stage({ room, rights, actions, browsing, content, annotator, send }: Props) {
  const isPresenter = rights.presenter;
  const drives = rights.drivesStage;
  // Anyone else who may browse sees `own` (their own page) until they go back.
  const { own, setOwn, shown } = browsing;
  const mayBrowse = rights.browse;
  const doc = shown ? room.documents.find((d) => d.id === shown.document) : undefined;
  const info = shown && doc ? doc.pages[shown.page] : undefined;
  const mayAnnotate = rights.annotate;
  const mayExport = rights.exportContent;

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
          <div className="empty-state stage-empty">
            <Icon name="stage" size={40} />
            <h2>Nothing is being shared</h2>
            <p className="muted">
              {isPresenter
                ? 'Upload a document, or start a whiteboard or a text page, and show it here.'
                : 'When a presenter shares content, it appears here.'}
            </p>
            {rights.shareContent && <ShareActions actions={actions} drives={drives} />}
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
