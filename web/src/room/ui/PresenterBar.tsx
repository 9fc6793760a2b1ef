// Who presents, shown to everyone, and the hand-over for presenters: take over, pass to
// another presenter, or stop presenting. The server decides; this only sends the asks.
import { useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import { isPresenterRole, type RoomState } from '../roomState';

type Props = { room: RoomState; isPresenter: boolean; send: (msg: ClientMsg) => void };

export function PresenterBar({ room, isPresenter, send }: Props) {
  const presenting = room.presenter === room.you.id;
  const who = room.presenter === undefined ? undefined : room.participants.get(room.presenter);
  const others = [...room.participants.values()].filter((p) => p.id !== room.you.id && isPresenterRole(p.role));
  const [to, setTo] = useState('');
  const status = presenting
    ? 'You are presenting'
    : who
      ? `${who.name} is presenting`
      : room.presenter === undefined
        ? 'Nobody is presenting'
        : 'Someone is presenting';
  return (
    <div className="presenter-bar">
      <span className="muted" role="status" aria-label="Presenter">
        {status}
      </span>
      {isPresenter && !presenting && (
        <button type="button" className="btn btn-small" onClick={() => send({ type: 'take_presenting' })}>
          {room.presenter === undefined ? 'Present' : 'Take over'}
        </button>
      )}
      {presenting && others.length > 0 && (
        <form
          className="presenter-pass"
          onSubmit={(e) => {
            e.preventDefault();
            if (to) send({ type: 'pass_presenting', to });
            setTo('');
          }}
        >
          <select aria-label="Pass presenting to" value={to} onChange={(e) => setTo(e.target.value)}>
            <option value="">Pass to…</option>
            {others.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn-small" disabled={!to}>
            Pass
          </button>
        </form>
      )}
      {presenting && (
        <button type="button" className="btn btn-small" onClick={() => send({ type: 'stop_presenting' })}>
          Stop presenting
        </button>
      )}
    </div>
  );
}
