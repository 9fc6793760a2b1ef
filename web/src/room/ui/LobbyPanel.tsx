// Presenters' view of who waits to be let in, with Admit / Deny per person and Admit all.
import type { ClientMsg } from '../../proto/ClientMsg';
import type { LobbyEntry } from '../../proto/LobbyEntry';
import { formatClock } from '../../lib/format';
import { Icon } from '../../components/Icon';
import { Avatar } from './Avatar';

type Props = { lobby: readonly LobbyEntry[]; send: (msg: ClientMsg) => number | undefined };

export function LobbyPanel({ lobby, send }: Props) {
  return (
    <section className="lobby" aria-labelledby="lobby-heading">
      <div className="lobby-head">
        <h3 id="lobby-heading">
          Lobby <span className="muted">· {lobby.length} waiting</span>
        </h3>
        <button type="button" className="btn btn-sm btn-primary" onClick={() => send({ type: 'admit_all' })}>
          Admit all
        </button>
      </div>
      <ul className="lobby-list" aria-label="Lobby">
        {lobby.map((e) => (
          <li key={e.id} className="lobby-row" data-testid={`lobby-${e.name}`}>
            <Avatar id={e.id} name={e.name} />
            <div className="roster-who">
              <span className="roster-name">{e.name}</span>
              <span className="roster-meta">
                {e.guest ? 'Guest' : 'Member'} ·{' '}
                <time dateTime={e.since} title="Waiting since">
                  {formatClock(e.since)}
                </time>
              </span>
            </div>
            <div className="lobby-actions">
              <button
                type="button"
                className="icon-btn icon-btn-sm"
                aria-label={`Deny ${e.name}`}
                title="Deny"
                onClick={() => send({ type: 'deny', participant: e.id })}
              >
                <Icon name="close" size={16} />
              </button>
              <button
                type="button"
                className="btn btn-sm btn-primary"
                aria-label={`Admit ${e.name}`}
                onClick={() => send({ type: 'admit', participant: e.id })}
              >
                Admit
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
