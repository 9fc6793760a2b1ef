// The room's top bar: title, lock state, head count, Leave and (presenters) End meeting.
import { Icon } from '../../components/Icon';
import type { RoomState } from '../roomState';

type Props = { room: RoomState; isPresenter: boolean; onLeave: () => void; onEnd: () => void };

export function RoomHeader({ room, isPresenter, onLeave, onEnd }: Props) {
  const count = room.participants.size;
  return (
    <header className="room-header">
      <div className="room-title">
        <span className="brand-dot" aria-hidden="true" />
        <h1>{room.title}</h1>
        {room.locked && (
          <span className="badge badge-warning" title="Nobody new can join">
            <Icon name="lock" size={14} />
            Locked
          </span>
        )}
        <span className="room-count" aria-label={`${count} ${count === 1 ? 'participant' : 'participants'}`}>
          <Icon name="users" size={16} />
          {count}
        </span>
      </div>
      <div className="room-header-actions">
        {isPresenter && (
          <button type="button" className="btn btn-sm btn-danger-outline" onClick={onEnd}>
            End meeting
          </button>
        )}
        <button type="button" className="btn btn-sm btn-danger" onClick={onLeave}>
          <Icon name="leave" size={16} />
          Leave
        </button>
      </div>
    </header>
  );
}
