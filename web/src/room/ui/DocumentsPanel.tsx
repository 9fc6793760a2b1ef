// Presenters' documents: upload (or snapshot a screen), start a whiteboard or a text
// page, and a list with each document's first page, its conversion progress, and one
// obvious "Show" that puts it on the stage.
import { useEffect, useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { DocumentInfo } from '../../proto/DocumentInfo';
import { Icon } from '../../components/Icon';
import { problemText } from '../../lib/api';
import { showToast } from '../../lib/toasts';
import type { ContentClient } from '../contentClient';
import type { Rights } from '../rights';
import type { RoomState } from '../roomState';
import { canCaptureScreen, captureScreenFrame } from '../snapshot';

/** The hidden file input every "Upload a document" label points at. */
export const uploadInputId = 'document-upload';

export type DocumentActions = {
  uploading: boolean;
  upload: (file: File | undefined, input?: HTMLInputElement) => void;
  snapshot: (() => void) | undefined;
  newWhiteboard: () => void;
  newText: () => void;
};

/** Uploading, snapshots and new documents, shared by the empty stage and the panel. */
export function useDocumentActions(
  room: RoomState,
  content: ContentClient,
  send: (msg: ClientMsg) => void,
  onStarted: () => void,
): DocumentActions {
  const [uploading, setUploading] = useState(false);
  const count = (kind: DocumentInfo['kind']) => room.documents.filter((d) => d.kind === kind).length + 1;
  const upload = (file: File | undefined, input?: HTMLInputElement) => {
    if (!file) return;
    setUploading(true);
    onStarted();
    content
      .upload(file)
      .catch((e: unknown) => showToast(`${file.name}: ${problemText(e)}`, 'error'))
      .finally(() => {
        setUploading(false);
        if (input) input.value = '';
      });
  };
  return {
    uploading,
    upload,
    snapshot: canCaptureScreen()
      ? () =>
          void captureScreenFrame().then(upload, (e: unknown) => {
            // Cancelling the browser's picker is not an error worth a message.
            if (!(e instanceof DOMException && e.name === 'NotAllowedError')) showToast(problemText(e), 'error');
          })
      : undefined,
    newWhiteboard: () => send({ type: 'new_document', kind: 'whiteboard', name: `Whiteboard ${count('whiteboard')}` }),
    newText: () => send({ type: 'new_document', kind: 'text', name: `Text page ${count('text')}` }),
  };
}

/** Upload, snapshot, whiteboard, text page: the ways to put something on the stage. */
export function ShareActions({ actions, drives }: { actions: DocumentActions; drives: boolean }) {
  return (
    <div className="share-actions">
      <label htmlFor={uploadInputId} className="btn btn-primary">
        <Icon name="upload" size={16} />
        {actions.uploading ? 'Uploading…' : 'Upload a document'}
      </label>
      {actions.snapshot && (
        <button type="button" className="btn" onClick={actions.snapshot} disabled={actions.uploading}>
          Take a snapshot
        </button>
      )}
      {drives && (
        <>
          <button type="button" className="btn" onClick={actions.newWhiteboard}>
            New whiteboard
          </button>
          <button type="button" className="btn" onClick={actions.newText}>
            New text page
          </button>
        </>
      )}
    </div>
  );
}

type Props = {
  room: RoomState;
  rights: Rights;
  content: ContentClient;
  actions: DocumentActions;
  send: (msg: ClientMsg) => void;
};

export function DocumentsPanel({ room, rights, content, actions, send }: Props) {
  const onStage = room.stage?.document;
  return (
    <div className="documents">
      <ShareActions actions={actions} drives={rights.drivesStage} />
      {room.documents.length === 0 ? (
        <p className="muted small documents-empty">No documents yet. Uploads appear here as they convert.</p>
      ) : (
        <ul className="document-list" aria-label="Documents">
          {room.documents.map((d) => (
            <li key={d.id} className={`document-item${d.id === onStage ? ' document-on-stage' : ''}`}>
              <Thumbnail content={content} doc={d} />
              <div className="document-info">
                <span className="document-name" title={d.name}>
                  {d.name}
                </span>
                <DocumentStatus doc={d} onStage={d.id === onStage} />
              </div>
              <div className="document-actions">
                {rights.drivesStage && d.pages.length > 0 && d.status.state !== 'failed' && (
                  <button
                    type="button"
                    className="btn btn-sm btn-primary"
                    onClick={() => send({ type: 'show_page', document: d.id, page: 0 })}
                    aria-label={`Show ${d.name}`}
                  >
                    Show
                  </button>
                )}
                <button
                  type="button"
                  className="icon-btn icon-btn-sm"
                  onClick={() => send({ type: 'remove_document', document: d.id })}
                  aria-label={`Remove ${d.name}`}
                  title="Remove"
                >
                  <Icon name="trash" size={16} />
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DocumentStatus({ doc, onStage }: { doc: DocumentInfo; onStage: boolean }) {
  const n = doc.pages.length;
  const pages = `${n} page${n === 1 ? '' : 's'}`;
  switch (doc.status.state) {
    case 'converting':
      return (
        <span className="document-status">
          <progress className="document-progress" aria-label={`Converting ${doc.name}`} />
          <span className="small muted">Converting… {pages} ready</span>
        </span>
      );
    case 'ready':
      return <span className="small muted">{onStage ? `${pages} · on stage` : pages}</span>;
    case 'failed':
      return <span className="small field-error">Failed: {doc.status.error}</span>;
  }
}

/** The first page, small; a whiteboard or text page shows its kind instead. */
function Thumbnail({ content, doc }: { content: ContentClient; doc: DocumentInfo }) {
  const [src, setSrc] = useState<string>();
  const ready = doc.kind === 'upload' && doc.pages.length > 0;
  useEffect(() => {
    if (!ready) return;
    let live = true;
    content.pageUrl(doc.id, 0, 'thumb').then(
      (url) => live && setSrc(url),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [content, doc.id, ready]);
  if (src) return <img className="document-thumb" src={src} alt="" />;
  return (
    <span className="document-thumb document-thumb-blank" aria-hidden="true">
      <Icon name={doc.kind === 'text' ? 'text' : doc.kind === 'whiteboard' ? 'edit' : 'file'} size={20} />
    </span>
  );
}
