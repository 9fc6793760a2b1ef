// When a meeting happens, in its own time zone, plus the viewer's time if different.
import { differsLocally, formatRange, formatTime } from '../lib/format';

type Props = { startsAt: string; endsAt: string; timeZone: string };

export function MeetingTime({ startsAt, endsAt, timeZone }: Props) {
  const local = differsLocally(startsAt, timeZone);
  return (
    <p className="meeting-time">
      <time dateTime={startsAt}>{formatRange(startsAt, endsAt, timeZone)}</time>
      <span className="muted"> ({timeZone.replace(/_/g, ' ')})</span>
      {local && (
        <span className="muted meeting-time-local">
          Your time: {formatTime(startsAt)} – {formatTime(endsAt)}
        </span>
      )}
    </p>
  );
}
