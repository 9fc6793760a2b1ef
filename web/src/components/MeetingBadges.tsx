// Small status badges for a meeting: live, instant, ended/cancelled, passcode, lobby.
import type { MeetingView } from '../proto/MeetingView';

export function MeetingBadges({ meeting }: { meeting: MeetingView }) {
  return (
    <ul className="badges" aria-label="Status">
      {meeting.status === 'cancelled' && <li className="badge badge-danger">Cancelled</li>}
      {meeting.status === 'ended' && <li className="badge">Ended</li>}
      {meeting.status === 'scheduled' && meeting.live_participants > 0 && (
        <li className="badge badge-live">
          <span className="live-dot" aria-hidden="true" />
          Live · {meeting.live_participants} {meeting.live_participants === 1 ? 'person' : 'people'}
        </li>
      )}
      {meeting.instant && <li className="badge">Instant</li>}
      {meeting.passcode && <li className="badge">Passcode</li>}
      {meeting.lobby && <li className="badge">Lobby</li>}
      {!meeting.allow_guests && <li className="badge">Accounts only</li>}
    </ul>
  );
}
