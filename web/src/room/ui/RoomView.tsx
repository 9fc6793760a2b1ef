// The live room: header, roster, stage, chat and control bar, wired to the RoomClient.
// Owns only view state (which panels are open, which dialog is showing).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import { ConfirmDialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { dismissToast, showToast } from '../../lib/toasts';
import type { Annotator } from '../annotate/annotator';
import type { ContentClient } from '../contentClient';
import type { MediaSession } from '../mediaSession';
import type { RoomClient } from '../roomClient';
import { isPresenterRole, type RoomState } from '../roomState';
import { ChatPanel } from './ChatPanel';
import { ControlBar } from './ControlBar';
import { MediaStrip } from './MediaStrip';
import { PermissionsDialog } from './PermissionsDialog';
import { RoomHeader } from './RoomHeader';
import { Roster } from './Roster';
import { Stage } from './Stage';

type Props = {
  client: RoomClient;
  content: ContentClient;
  annotator: Annotator;
  media: MediaSession;
  room: RoomState;
  reconnecting: boolean;
};
type DialogName = 'permissions' | 'end' | null;

export function RoomView({ client, content, annotator, media, room, reconnecting }: Props) {
  const [showRoster, setShowRoster] = useState(true);
  const [showChat, setShowChat] = useState(true);
  const [dialog, setDialog] = useState<DialogName>(null);
  const isPresenter = isPresenterRole(room.you.role);
  const send = useCallback((msg: ClientMsg, onRejected?: () => void) => client.send(msg, onRejected), [client]);

  useLobbyToasts(room, isPresenter);

  const layout = ['room-main', showRoster ? 'with-roster' : '', showChat ? 'with-chat' : ''].join(' ');

  return (
    <div className="room">
      <RoomHeader room={room} isPresenter={isPresenter} onLeave={() => client.leave()} onEnd={() => setDialog('end')} />
      {reconnecting && (
        <div className="banner banner-warning" role="status">
          <Icon name="wifiOff" size={16} />
          Connection lost. Reconnecting… You will not miss anything.
        </div>
      )}
      <MediaStrip media={media} room={room} />
      <div className={layout}>
        <Roster room={room} isPresenter={isPresenter} send={send} hidden={!showRoster} />
        <Stage room={room} isPresenter={isPresenter} content={content} annotator={annotator} send={send} />
        <ChatPanel room={room} send={send} hidden={!showChat} />
      </div>
      <ControlBar
        room={room}
        isPresenter={isPresenter}
        send={send}
        showRoster={showRoster}
        showChat={showChat}
        onToggleRoster={() => setShowRoster((v) => !v)}
        onToggleChat={() => setShowChat((v) => !v)}
        onOpenPermissions={() => setDialog('permissions')}
      />
      <LobbyAnnouncer room={room} isPresenter={isPresenter} />
      {isPresenter && (
        <PermissionsDialog
          open={dialog === 'permissions'}
          permissions={room.permissions}
          onClose={() => setDialog(null)}
          onSave={(permissions) => {
            if (send({ type: 'set_permissions', permissions }) !== undefined) setDialog(null);
          }}
        />
      )}
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
