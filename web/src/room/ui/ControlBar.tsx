// The bar under the room: raise hand, away, and (presenters) lock and permissions,
// plus toggles for the side panels.
import { Icon } from '../../components/Icon';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { RoomState } from '../roomState';

type Props = {
  room: RoomState;
  isPresenter: boolean;
  send: (msg: ClientMsg) => number | undefined;
  showRoster: boolean;
  showChat: boolean;
  onToggleRoster: () => void;
  onToggleChat: () => void;
  onOpenPermissions: () => void;
};

export function ControlBar(props: Props) {
  const { room, isPresenter, send, showRoster, showChat } = props;
  const { hand_raised: raised, away } = room.you;
  const waiting = isPresenter ? room.lobby.length : 0;

  return (
    <footer className="controlbar">
      <div className="controlbar-group" role="group" aria-label="Your status">
        <button
          type="button"
          className="control"
          aria-pressed={raised}
          onClick={() => send({ type: 'raise_hand', raised: !raised })}
        >
          <Icon name="hand" size={20} />
          <span>Raise hand</span>
        </button>
        <button
          type="button"
          className="control"
          aria-pressed={away}
          onClick={() => send({ type: 'set_away', away: !away })}
        >
          <Icon name="moon" size={20} />
          <span>Away</span>
        </button>
      </div>
      {isPresenter && (
        <div className="controlbar-group" role="group" aria-label="Meeting settings">
          <button
            type="button"
            className="control"
            aria-pressed={room.locked}
            onClick={() => send({ type: 'set_locked', locked: !room.locked })}
          >
            <Icon name={room.locked ? 'lock' : 'unlock'} size={20} />
            <span>Lock meeting</span>
          </button>
          <button type="button" className="control" aria-haspopup="dialog" onClick={props.onOpenPermissions}>
            <Icon name="shield" size={20} />
            <span>Permissions</span>
          </button>
        </div>
      )}
      <div className="controlbar-group" role="group" aria-label="Panels">
        <button
          type="button"
          className="control"
          aria-pressed={showRoster}
          aria-controls="roster-panel"
          aria-describedby={waiting > 0 ? 'lobby-waiting-count' : undefined}
          onClick={props.onToggleRoster}
        >
          <Icon name="users" size={20} />
          <span>People</span>
          {waiting > 0 && (
            <span className="control-badge" aria-hidden="true">
              {waiting}
            </span>
          )}
        </button>
        {waiting > 0 && (
          <span id="lobby-waiting-count" className="visually-hidden">
            {waiting} waiting in the lobby
          </span>
        )}
        <button
          type="button"
          className="control"
          aria-pressed={showChat}
          aria-controls="chat-panel"
          onClick={props.onToggleChat}
        >
          <Icon name="chat" size={20} />
          <span>Chat</span>
        </button>
      </div>
    </footer>
  );
}
