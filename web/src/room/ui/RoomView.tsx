// The live room, designed as one screen: the stage (content, or the people on video
// when nothing is shown) takes most of it; video tiles grow with the space; panels
// (people, chat, documents) open beside it on a desktop and as a sheet on a phone;
// one bar below holds the controls. Owns only view state (open panels, view, pin,
// dialogs); what anyone may do comes from rights.ts, what to announce from notices.ts.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { ParticipantId } from '../../proto/ParticipantId';
import { ConfirmDialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { dismissToast, showToast } from '../../lib/toasts';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useStore } from '../../lib/useStore';
import type { Annotator } from '../annotate/annotator';
import type { ContentClient } from '../contentClient';
import { loadMediaChoice } from '../devicePreview';
import type { View } from '../mediaLayout';
import type { MediaSession } from '../mediaSession';
import { noticesBetween } from '../notices';
import { fitPanels, initialPanels, panelOrder, showPanel, togglePanel, type PanelId } from '../panels';
import { rightsOf, type Rights } from '../rights';
import type { RoomClient } from '../roomClient';
import type { RoomState } from '../roomState';
import { shortcutFor } from '../shortcuts';
import { BottomBar, panelMeta } from './BottomBar';
import { ChatPanel } from './ChatPanel';
import { DocumentsPanel, uploadInputId, useDocumentActions } from './DocumentsPanel';
import { HelpSheet } from './HelpSheet';
import { PermissionsDialog } from './PermissionsDialog';
import { RoomHeader } from './RoomHeader';
import { Roster } from './Roster';
import { Stage, useShownPage } from './Stage';
import { VideoArea } from './VideoArea';

type Props = {
  client: RoomClient;
  content: ContentClient;
  annotator: Annotator;
  media: MediaSession;
  room: RoomState;
  reconnecting: boolean;
};
type DialogName = 'permissions' | 'end' | 'help' | null;

/** Below this width the room takes its phone layout. */
const compactQuery = '(max-width: 760px)';

export function RoomView({ client, content, annotator, media, room, reconnecting }: Props) {
  const compact = useMediaQuery(compactQuery);
  const rights = rightsOf(room);
  const [panels, setPanels] = useState(() => initialPanels(compact));
  const [dialog, setDialog] = useState<DialogName>(null);
  const [view, setView] = useState<View>('grid');
  const [pinned, setPinned] = useState<ParticipantId>();
  const send = useCallback((msg: ClientMsg, onRejected?: () => void) => client.send(msg, onRejected), [client]);
  const browsing = useShownPage(room, rights);
  const actions = useDocumentActions(room, content, send, () => setPanels((p) => showPanel(p, 'documents', compact)));
  const mediaState = useStore(media.store);

  // Panels follow the screen size and what you may see.
  const panelKey = `${compact}:${rights.shareContent}`;
  const fitted = useRef(panelKey);
  useEffect(() => {
    if (fitted.current === panelKey) return;
    fitted.current = panelKey;
    setPanels((p) => fitPanels(p, compact, rights));
  }, [panelKey, compact, rights]);
  const toggle = useCallback((id: PanelId) => setPanels((p) => togglePanel(p, id, compact)), [compact]);

  useAutoJoinMedia(media, room, rights);
  useLobbyToasts(room, rights.presenter);
  useNoticeToasts(room);
  useMediaFailureToast(media);
  useShortcuts({ media, room, send, toggle, onHelp: () => setDialog('help') });

  const doc = browsing.shown ? room.documents.find((d) => d.id === browsing.shown?.document) : undefined;
  const hasContent = doc?.pages[browsing.shown?.page ?? -1] !== undefined;
  const videos =
    mediaState.phase === 'on'
      ? mediaState.video.filter((s) => s.participant !== undefined).length + (mediaState.camOn ? 1 : 0)
      : 0;
  const showStage = hasContent || videos === 0;
  const openPanels = panelOrder.filter((p) => panels.includes(p.id) && p.available(rights)).map((p) => p.id);

  const panelContent = (id: PanelId): ReactNode => {
    switch (id) {
      case 'people':
        return <Roster room={room} rights={rights} send={send} />;
      case 'chat':
        return <ChatPanel room={room} send={send} hidden={!openPanels.includes('chat')} />;
      case 'documents':
        return <DocumentsPanel room={room} rights={rights} content={content} actions={actions} send={send} />;
    }
  };

  return (
    <div className={`room${compact ? ' room-compact' : ''}`}>
      <RoomHeader room={room} isPresenter={rights.presenter} compact={compact} onEnd={() => setDialog('end')} />
      {reconnecting && (
        <div className="banner banner-warning" role="status">
          <Icon name="wifiOff" size={16} />
          Connection lost. Reconnecting… You will not miss anything.
        </div>
      )}
      <div className={`room-body${openPanels.length ? ' with-dock' : ''}`}>
        <main className={`room-main${hasContent ? ' room-main-content' : ''}`} aria-label="Meeting">
          {showStage && (
            <Stage
              room={room}
              rights={rights}
              actions={actions}
              browsing={browsing}
              content={content}
              annotator={annotator}
              send={send}
            />
          )}
          <VideoArea
            media={media}
            room={room}
            place={hasContent ? 'strip' : 'area'}
            view={view}
            onView={setView}
            pinned={pinned}
            onPin={setPinned}
          />
        </main>
        <div className={`dock${compact ? ' dock-sheet' : ''}`} hidden={openPanels.length === 0}>
          {panelOrder
            .filter((p) => p.available(rights))
            .map(({ id }) => {
              const open = openPanels.includes(id);
              // People and chat stay mounted (a draft, a scroll position); others fill when opened.
              const mounted = open || id === 'people' || id === 'chat';
              return (
                <section
                  key={id}
                  id={`${id}-panel`}
                  className={`panel panel-${id}`}
                  aria-labelledby={`${id}-heading`}
                  hidden={!open}
                >
                  <div className="panel-header">
                    <h2 id={`${id}-heading`}>{panelMeta[id].title}</h2>
                    {id === 'people' && <span className="panel-count">{room.participants.size}</span>}
                    <button
                      type="button"
                      className="icon-btn icon-btn-sm panel-close"
                      aria-label={`Close ${panelMeta[id].title.toLowerCase()}`}
                      onClick={() => toggle(id)}
                    >
                      <Icon name="close" size={16} />
                    </button>
                  </div>
                  {mounted && panelContent(id)}
                </section>
              );
            })}
        </div>
      </div>
      <UnmuteRequest media={media} room={room} />
      <BottomBar
        room={room}
        rights={rights}
        media={media}
        send={send}
        panels={openPanels}
        onPanel={toggle}
        compact={compact}
        onPermissions={() => setDialog('permissions')}
        onHelp={() => setDialog('help')}
        onEnd={() => setDialog('end')}
        onLeave={() => client.leave()}
      />
      {rights.shareContent && (
        <input
          id={uploadInputId}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => actions.upload(e.target.files?.[0], e.target)}
        />
      )}
      <LobbyAnnouncer room={room} isPresenter={rights.presenter} />
      {rights.presenter && (
        <PermissionsDialog
          open={dialog === 'permissions'}
          permissions={room.permissions}
          onClose={() => setDialog(null)}
          onSave={(permissions) => {
            if (send({ type: 'set_permissions', permissions }) !== undefined) setDialog(null);
          }}
        />
      )}
      <HelpSheet open={dialog === 'help'} onClose={() => setDialog(null)} />
      <ConfirmDialog
        open={dialog === 'end'}
        title="End the meeting for everyone?"
        message="Everyone is disconnected and nobody can rejoin."
        confirmLabel="End meeting for all"
        danger
        onConfirm={() => {
          setDialog(null);
          send({ type: 'end_meeting' });
        }}
        onClose={() => setDialog(null)}
      />
    </div>
  );
}

/**
 * Joins the meeting's audio and video on arrival, with what the pre-join check chose
 * (and rights allow), or listening only: nobody sits in a meeting hearing nobody.
 */
function useAutoJoinMedia(media: MediaSession, room: RoomState, rights: Rights) {
  const started = useRef(false);
  useEffect(() => {
    if (started.current || media.store.get().phase !== 'off') return;
    started.current = true;
    const choice = loadMediaChoice(room.meeting);
    void media.start({
      audio: rights.microphone && choice.microphone && (choice.microphoneId || true),
      video: rights.camera && choice.camera && (choice.cameraId || true),
    });
  }, [media, room.meeting, rights.microphone, rights.camera]);
}

/** Room keys: M mute, V camera, H hand, P people, C chat, ? this list. */
function useShortcuts(opts: {
  media: MediaSession;
  room: RoomState;
  send: (msg: ClientMsg) => number | undefined;
  toggle: (id: PanelId) => void;
  onHelp: () => void;
}) {
  const latest = useRef(opts);
  useEffect(() => {
    latest.current = opts;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const t = e.target instanceof HTMLElement ? e.target : null;
      const action = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        altKey: e.altKey,
        metaKey: e.metaKey,
        repeat: e.repeat,
        target: t && {
          tagName: t.tagName,
          type: (t as HTMLInputElement).type,
          isContentEditable: t.isContentEditable,
          role: t.getAttribute('role'),
        },
      });
      if (!action) return;
      e.preventDefault();
      const { media, room, send, toggle, onHelp } = latest.current;
      const m = media.store.get();
      switch (action) {
        case 'mic':
          if (m.phase === 'on' && m.local.getAudioTracks().length) media.setMic(!m.micOn);
          break;
        case 'camera':
          if (m.phase === 'on' && m.local.getVideoTracks().length) media.setCamera(!m.camOn);
          break;
        case 'hand':
          send({ type: 'raise_hand', raised: !room.you.hand_raised });
          break;
        case 'people':
        case 'chat':
          toggle(action);
          break;
        case 'help':
          onHelp();
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Toasts for what changed: raised hands (presenters), your role and permissions, the lock. */
function useNoticeToasts(room: RoomState) {
  const before = useRef(room);
  useEffect(() => {
    for (const n of noticesBetween(before.current, room)) showToast(n.text, n.kind);
    before.current = room;
  }, [room]);
}

function useMediaFailureToast(media: MediaSession) {
  const state = useStore(media.store);
  const message = state.phase === 'failed' ? state.message : undefined;
  const videoError = state.phase === 'on' ? state.videoError : undefined;
  useEffect(() => {
    if (message) showToast(`Audio and video failed: ${message}`, 'error');
  }, [message]);
  useEffect(() => {
    if (videoError) showToast(`Camera unavailable (${videoError}); you joined with audio only.`, 'error');
  }, [videoError]);
}

/** A presenter asked you to unmute: you decide. */
function UnmuteRequest({ media, room }: { media: MediaSession; room: RoomState }) {
  const state = useStore(media.store);
  const by = state.phase === 'on' ? state.unmuteAsked : undefined;
  if (!by) return null;
  return (
    <div
      className="unmute-request"
      role="alertdialog"
      aria-label="Unmute request"
      aria-describedby="unmute-request-text"
    >
      <Icon name="mic" size={18} />
      <span id="unmute-request-text">{room.participants.get(by)?.name ?? 'A presenter'} asks you to unmute.</span>
      <button type="button" className="btn btn-sm btn-primary" onClick={() => media.setMic(true)}>
        Unmute
      </button>
      <button type="button" className="btn btn-sm btn-ghost" onClick={() => media.dismissUnmute()}>
        Not now
      </button>
    </div>
  );
}

/** Screen-reader announcement of people arriving in the lobby (presenters only). */
function LobbyAnnouncer({ room, isPresenter }: { room: RoomState; isPresenter: boolean }) {
  const { names, seq } = room.lobbyArrivals;
  const text =
    isPresenter && names.length > 0
      ? `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} waiting in the lobby.`
      : '';
  return (
    <div className="visually-hidden" role="status" aria-live="polite">
      {text && <span key={seq}>{text}</span>}
    </div>
  );
}

/** A visible nudge for presenters when someone starts waiting (not for those already there on arrival). */
function useLobbyToasts(room: RoomState, isPresenter: boolean) {
  const seen = useRef(room.lobbyArrivals.seq);
  const toast = useRef<number | undefined>(undefined);
  const { names, seq } = room.lobbyArrivals;
  const waiting = room.lobby.length;
  useEffect(() => {
    if (seq <= seen.current) return;
    seen.current = seq;
    if (!isPresenter || names.length === 0) return;
    const who = names.length === 1 ? (names[0] ?? 'Someone') : `${names.length} people`;
    if (toast.current !== undefined) dismissToast(toast.current);
    toast.current = showToast(`${who} ${names.length === 1 ? 'is' : 'are'} waiting in the lobby`, 'info');
  }, [seq, names, isPresenter]);
  // Once nobody waits, the nudge is stale.
  useEffect(() => {
    if (waiting === 0 && toast.current !== undefined) {
      dismissToast(toast.current);
      toast.current = undefined;
    }
  }, [waiting]);
}
