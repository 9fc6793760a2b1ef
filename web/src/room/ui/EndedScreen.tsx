// Full-page messages for a room session that has ended, one per reason, and for a room
// page opened without a join token in this tab.
import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ByeReason } from '../../proto/ByeReason';
import { Brand } from '../../components/Brand';
import { lastLinkKey } from '../../lib/joinTokens';
import { ensureSession, sessionStore } from '../../lib/session';
import { useStore } from '../../lib/useStore';

type Copy = { title: string; text: string; retry?: 'reload' | 'link' };

const copy: Record<ByeReason, Copy> = {
  invalid_token: {
    title: 'This session has expired',
    text: 'Your join token is no longer valid. Open your join link again to rejoin.',
    retry: 'link',
  },
  hello_expected: { title: 'Connection problem', text: 'The connection was not set up correctly.', retry: 'reload' },
  removed: {
    title: 'You were removed from the meeting',
    text: 'A presenter removed you from this meeting.',
    retry: 'link',
  },
  barred: {
    title: 'You cannot rejoin this meeting',
    text: 'A presenter removed you and barred you from coming back.',
  },
  denied: { title: 'You were not let in', text: 'A presenter declined your request to join this meeting.' },
  meeting_full: {
    title: 'This meeting is full',
    text: 'It has reached its largest allowed size. Try again later.',
    retry: 'link',
  },
  meeting_locked: {
    title: 'This meeting is locked',
    text: 'The presenters locked the meeting, so nobody new can join right now.',
    retry: 'link',
  },
  meeting_ended: { title: 'The meeting has ended', text: 'Thank you for joining.' },
  meeting_cancelled: { title: 'This meeting was cancelled', text: 'The organizer cancelled this meeting.' },
  left: {
    title: 'You left the meeting',
    text: 'You can rejoin with your link while the meeting is on.',
    retry: 'link',
  },
  replaced: {
    title: 'You joined from somewhere else',
    text: 'This meeting is now open in another tab or device, so this window was disconnected.',
    retry: 'reload',
  },
  too_slow: { title: 'Connection too slow', text: 'Your connection fell behind.', retry: 'reload' },
  frame_too_large: { title: 'Connection closed', text: 'A message was too large to send.', retry: 'reload' },
  server_shutdown: { title: 'The server restarted', text: 'Please rejoin in a moment.', retry: 'reload' },
};

function Shell({ title, text, children }: { title: string; text: string; children?: ReactNode }) {
  const me = useStore(sessionStore);
  useEffect(() => {
    // Only to know whether "Your meetings" leads anywhere; failures just hide it.
    ensureSession().catch(() => undefined);
  }, []);
  return (
    <main className="page-center">
      <div className="card card-narrow stack center-text">
        <Brand />
        <h1>{title}</h1>
        <p className="muted">{text}</p>
        <div className="row center">
          {children}
          {me && (
            <Link className="btn" to="/">
              Your meetings
            </Link>
          )}
        </div>
      </div>
    </main>
  );
}

export function EndedScreen({
  reason,
  meetingId,
  title,
}: {
  reason: ByeReason;
  meetingId: string;
  title?: string | undefined;
}) {
  const c = copy[reason];
  const key = lastLinkKey(meetingId);
  const heading = title && reason === 'meeting_ended' ? `“${title}” has ended` : c.title;
  return (
    <Shell title={heading} text={c.text}>
      {c.retry === 'reload' && (
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          {reason === 'replaced' ? 'Use here instead' : 'Reconnect'}
        </button>
      )}
      {c.retry === 'link' && key && (
        <Link className="btn btn-primary" to={`/j/${encodeURIComponent(key)}`}>
          Rejoin
        </Link>
      )}
    </Shell>
  );
}

export function MissingTokenScreen({ meetingId }: { meetingId: string }) {
  const key = lastLinkKey(meetingId);
  return (
    <Shell
      title="Open your join link again"
      text="This page needs the join link you were sent (or the Join button in Confab) to let you in."
    >
      {key && (
        <Link className="btn btn-primary" to={`/j/${encodeURIComponent(key)}`}>
          Rejoin
        </Link>
      )}
    </Shell>
  );
}
