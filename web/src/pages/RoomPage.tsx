// The meeting room (/m/:meetingId): finds this tab's join token, runs a RoomClient for
// as long as the page is open, and shows the screen for its phase (joining, lobby,
// the room itself, or why it ended).
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { forgetJoin, loadJoin } from '../lib/joinTokens';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useStore } from '../lib/useStore';
import { Annotator } from '../room/annotate/annotator';
import { ContentClient } from '../room/contentClient';
import { MediaSession } from '../room/mediaSession';
import { RoomClient, roomUrl, type EndReason } from '../room/roomClient';
import { EndedScreen, MissingTokenScreen } from '../room/ui/EndedScreen';
import { RoomView } from '../room/ui/RoomView';
import { ConnectingScreen, LobbyScreen } from '../room/ui/WaitingScreens';

/** After these the token is useless; keep it only where "use here" or a reload can help. */
const keepTokenAfter: ReadonlySet<EndReason> = new Set<EndReason>(['replaced', 'hello_expected', 'frame_too_large']);

export function RoomPage() {
  const { meetingId = '' } = useParams();
  const [join] = useState(() => loadJoin(meetingId));
  if (!join) return <MissingTokenScreen meetingId={meetingId} />;
  return <RoomSession key={meetingId} meetingId={meetingId} token={join.token} />;
}

function RoomSession({ meetingId, token }: { meetingId: string; token: string }) {
  const [client] = useState(
    () =>
      new RoomClient({
        url: roomUrl(),
        token,
        onError: (e) => showToast(e.message, 'error'),
        onEnded: (reason) => {
          if (!keepTokenAfter.has(reason)) forgetJoin(meetingId);
        },
      }),
  );
  const [content] = useState(() => new ContentClient(meetingId, token));
  const [media] = useState(() => new MediaSession(client, (msg) => client.send(msg)));
  useEffect(() => () => media.dispose(), [media]);
  const { phase, room } = useStore(client.store);
  useEffect(() => () => content.dispose(), [content]);
  const [annotator] = useState(() => new Annotator(meetingId, token));
  useEffect(() => () => annotator.dispose(), [annotator]);

  useEffect(() => {
    client.start();
    return () => {
      client.stop();
    };
  }, [client]);

  const title = room?.title ?? (phase.kind === 'lobby' ? phase.title : undefined);
  useDocumentTitle(title ?? 'Meeting');

  if (phase.kind === 'ended') return <EndedScreen reason={phase.reason} meetingId={meetingId} title={title} />;
  if (phase.kind === 'lobby')
    return <LobbyScreen reason={phase.reason} title={phase.title} onLeave={() => client.leave()} />;
  if (!room) return <ConnectingScreen reconnecting={phase.kind === 'reconnecting'} />;
  return (
    <RoomView
      client={client}
      content={content}
      annotator={annotator}
      media={media}
      room={room}
      reconnecting={phase.kind === 'reconnecting'}
    />
  );
}
