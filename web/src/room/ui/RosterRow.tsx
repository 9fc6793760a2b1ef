// One person in the roster: name, role, hand/away/connection state, and for presenters
// a menu of actions (change role, mute, stop camera, ask to unmute, remove, remove and bar).
import { memo } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { Participant } from '../../proto/Participant';
import { Icon } from '../../components/Icon';
import { MenuButton, type MenuItem } from '../../components/MenuButton';
import { Avatar } from './Avatar';

type Props = {
  person: Participant;
  isYou: boolean;
  canManage: boolean;
  send: (msg: ClientMsg) => number | undefined;
  onBar: (p: Participant) => void;
  /** Offset and height within the virtualised list. */
  top: number;
  height: number;
  setSize: number;
  position: number;
};

const roleLabel = { organizer: 'Organizer', presenter: 'Presenter', attendee: 'Attendee' } as const;

export const RosterRow = memo(function RosterRow(props: Props) {
  const { person: p, isYou, canManage, send, onBar, top, height, setSize, position } = props;

  const items: MenuItem[] = [];
  if (canManage) {
    if (p.role === 'attendee') {
      items.push({
        label: 'Make presenter',
        onSelect: () => send({ type: 'set_role', participant: p.id, role: 'presenter' }),
      });
    } else if (p.role === 'presenter') {
      items.push({
        label: 'Make attendee',
        onSelect: () => send({ type: 'set_role', participant: p.id, role: 'attendee' }),
      });
    }
    if (p.microphone) {
      items.push({ label: 'Mute', onSelect: () => send({ type: 'mute_participant', participant: p.id }) });
    } else {
      items.push({ label: 'Ask to unmute', onSelect: () => send({ type: 'ask_to_unmute', participant: p.id }) });
    }
    if (p.camera) {
      items.push({ label: 'Stop camera', onSelect: () => send({ type: 'stop_camera', participant: p.id }) });
    }
    items.push({
      label: 'Remove from meeting',
      onSelect: () => send({ type: 'remove_participant', participant: p.id, bar: false }),
      danger: true,
    });
    items.push({ label: 'Remove and bar', onSelect: () => onBar(p), danger: true });
  }

  const classes = ['roster-row', p.connected ? '' : 'roster-row-offline', p.hand_raised ? 'roster-row-hand' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <li
      className={classes}
      style={{ transform: `translateY(${top}px)`, height }}
      data-testid={`participant-${p.name}`}
      aria-setsize={setSize}
      aria-posinset={position}
    >
      <Avatar id={p.id} name={p.name} dim={!p.connected || p.away} />
      <div className="roster-who">
        <span className="roster-name">
          {p.name}
          {isYou && <span className="muted"> (you)</span>}
        </span>
        <span className="roster-meta">
          <span className={`role role-${p.role}`}>{roleLabel[p.role]}</span>
          {p.guest && <span className="role-guest">· Guest</span>}
        </span>
      </div>
      <div className="roster-icons">
        {p.hand_raised && (
          <span className="hand-flag" title="Hand raised">
            <Icon name="hand" size={16} />
            <span className="visually-hidden">, hand raised</span>
          </span>
        )}
        {!p.microphone && (
          <span className="status-flag" title="Microphone off">
            <Icon name="micOff" size={16} />
            <span className="visually-hidden">, microphone off</span>
          </span>
        )}
        {p.away && (
          <span className="status-flag" title="Away">
            <Icon name="moon" size={16} />
            <span className="visually-hidden">, away</span>
          </span>
        )}
        {!p.connected && (
          <span className="status-flag" title="Connection lost; may come back">
            <Icon name="wifiOff" size={16} />
            <span className="visually-hidden">, disconnected</span>
          </span>
        )}
      </div>
      {items.length > 0 ? (
        <MenuButton label={`Actions for ${p.name}`} items={items}>
          <Icon name="more" size={20} />
        </MenuButton>
      ) : (
        <span className="roster-menu-spacer" aria-hidden="true" />
      )}
    </li>
  );
});
