// Full-page states before the room shows: joining / reconnecting, and the lobby.
import type { LobbyReason } from '../../proto/LobbyReason';
import { Brand } from '../../components/Brand';
import { Icon } from '../../components/Icon';

export function ConnectingScreen({ reconnecting }: { reconnecting: boolean }) {
  return (
    <main className="page-center">
      <div className="card card-narrow stack center-text" role="status">
        <Brand />
        <span className="spinner spinner-lg" aria-hidden="true" />
        <h1>{reconnecting ? 'Reconnecting…' : 'Joining the meeting…'}</h1>
        {reconnecting && (
          <p className="muted">The connection dropped. Confab keeps trying; you will be back where you were.</p>
        )}
      </div>
    </main>
  );
}

export function LobbyScreen({ reason, title, onLeave }: { reason: LobbyReason; title: string; onLeave: () => void }) {
  const waitingForPresenter = reason === 'awaiting_presenter';
  return (
    <main className="page-center lobby-screen">
      <div className="card card-narrow stack center-text">
        <Brand />
        <div className="lobby-icon" aria-hidden="true">
          <Icon name="hourglass" size={28} />
        </div>
        <div role="status" aria-live="polite">
          <p className="eyebrow">{title}</p>
          <h1>{waitingForPresenter ? 'Waiting for the meeting to start' : 'Waiting to be let in'}</h1>
          <p className="muted">
            {waitingForPresenter
              ? 'No presenter has joined yet. You will be let in automatically when one arrives.'
              : 'Someone in the meeting will let you in soon. Please keep this page open.'}
          </p>
        </div>
        <span className="dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <div>
          <button type="button" className="btn" onClick={onLeave}>
            Leave
          </button>
        </div>
      </div>
    </main>
  );
}
