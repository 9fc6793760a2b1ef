// The one bar under the room: microphone and camera (with device choice in a menu),
// raise hand, the panels, presenters' meeting settings, more, and leave. Every control
// has a visible label on a desktop; on a phone the labels are for screen readers only.
import { useEffect, useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import { Icon, type IconName } from '../../components/Icon';
import { MenuButton, type MenuItem } from '../../components/MenuButton';
import { Popover } from '../../components/Popover';
import { useStore } from '../../lib/useStore';
import type { Devices, MediaSession } from '../mediaSession';
import { panelOrder, type OpenPanels, type PanelId } from '../panels';
import type { Rights } from '../rights';
import type { RoomState } from '../roomState';
import { DeviceSelect } from './PreJoin';

type Props = {
  room: RoomState;
  rights: Rights;
  media: MediaSession;
  send: (msg: ClientMsg) => number | undefined;
  panels: OpenPanels;
  onPanel: (id: PanelId) => void;
  compact: boolean;
  onPermissions: () => void;
  onHelp: () => void;
  onEnd: () => void;
  onLeave: () => void;
};

export const panelMeta: Record<PanelId, { title: string; icon: IconName }> = {
  people: { title: 'People', icon: 'users' },
  chat: { title: 'Chat', icon: 'chat' },
  documents: { title: 'Documents', icon: 'file' },
};

function Control(props: {
  icon: IconName;
  label: string;
  pressed?: boolean;
  onClick: () => void;
  className?: string;
  disabled?: boolean;
  badge?: number;
  controls?: string;
  describedBy?: string;
}) {
  return (
    <button
      type="button"
      className={`control ${props.className ?? ''}`}
      aria-pressed={props.pressed}
      aria-controls={props.controls}
      aria-describedby={props.describedBy}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon name={props.icon} size={20} />
      <span className="control-label">{props.label}</span>
      {props.badge !== undefined && props.badge > 0 && (
        <span className="control-badge" aria-hidden="true">
          {props.badge}
        </span>
      )}
    </button>
  );
}

export function BottomBar(props: Props) {
  const { room, rights, send, panels, compact } = props;
  const { hand_raised: raised, away } = room.you;
  const waiting = rights.presenter ? room.lobby.length : 0;

  const more: MenuItem[] = [
    { label: away ? 'I am back' : 'Set yourself away', onSelect: () => send({ type: 'set_away', away: !away }) },
    { label: 'Keyboard shortcuts', onSelect: props.onHelp },
  ];
  if (rights.presenter && compact) {
    more.push(
      {
        label: room.locked ? 'Unlock meeting' : 'Lock meeting',
        onSelect: () => send({ type: 'set_locked', locked: !room.locked }),
      },
      { label: 'Attendee permissions', onSelect: props.onPermissions },
      { label: 'End meeting for all', onSelect: props.onEnd, danger: true },
    );
  }

  return (
    <footer className="bottombar" aria-label="Meeting controls">
      <div className="bar-group" role="group" aria-label="Your audio and video">
        <MediaControls media={props.media} rights={rights} />
      </div>
      <div className="bar-group" role="group" aria-label="Your status">
        <Control
          icon="hand"
          label={raised ? 'Lower hand' : 'Raise hand'}
          pressed={raised}
          className={raised ? 'control-hand' : ''}
          onClick={() => send({ type: 'raise_hand', raised: !raised })}
        />
      </div>
      <div className="bar-group" role="group" aria-label="Panels">
        {panelOrder
          .filter((p) => p.available(rights))
          .map(({ id }) => (
            <Control
              key={id}
              icon={panelMeta[id].icon}
              label={panelMeta[id].title}
              pressed={panels.includes(id)}
              controls={`${id}-panel`}
              badge={id === 'people' ? waiting : undefined}
              describedBy={id === 'people' && waiting > 0 ? 'lobby-waiting-count' : undefined}
              onClick={() => props.onPanel(id)}
            />
          ))}
        {waiting > 0 && (
          <span id="lobby-waiting-count" className="visually-hidden">
            {waiting} waiting in the lobby
          </span>
        )}
      </div>
      {rights.presenter && !compact && (
        <div className="bar-group" role="group" aria-label="Meeting settings">
          <Control
            icon={room.locked ? 'lock' : 'unlock'}
            label="Lock meeting"
            pressed={room.locked}
            onClick={() => send({ type: 'set_locked', locked: !room.locked })}
          />
          <Control icon="shield" label="Permissions" onClick={props.onPermissions} />
        </div>
      )}
      <div className="bar-group bar-end">
        <MenuButton label="More actions" items={more} className="control">
          <Icon name="more" size={20} />
          <span className="control-label">More</span>
        </MenuButton>
        <button type="button" className="control control-leave" onClick={props.onLeave}>
          <Icon name="leave" size={20} />
          <span className="control-label">Leave</span>
        </button>
      </div>
    </footer>
  );
}

/** Microphone and camera switches, or joining with them when listening only. */
function MediaControls({ media, rights }: { media: MediaSession; rights: Rights }) {
  const state = useStore(media.store);
  const may = rights.microphone || rights.camera;
  const join = () => void media.start({ audio: rights.microphone, video: rights.camera });
  if (state.phase === 'starting') return <Control icon="mic" label="Connecting…" disabled onClick={() => undefined} />;
  if (state.phase !== 'on')
    return (
      <Control
        icon="refresh"
        label={state.phase === 'failed' ? 'Retry audio and video' : 'Connect audio and video'}
        onClick={() => void media.start({ audio: false, video: false })}
      />
    );
  const hasMic = state.local.getAudioTracks().length > 0;
  const hasCam = state.local.getVideoTracks().length > 0;
  if (!hasMic && !hasCam)
    return may ? (
      <button type="button" className="control control-primary" onClick={join}>
        <Icon name="mic" size={20} />
        <span className="control-label">Join with audio and video</span>
      </button>
    ) : (
      <span className="bar-note">Listening only</span>
    );
  return (
    <>
      {(hasMic || rights.microphone) && (
        <Control
          icon={hasMic && state.micOn ? 'mic' : 'micOff'}
          label={!hasMic ? 'Turn on microphone' : state.micOn ? 'Mute' : 'Unmute'}
          className={hasMic && !state.micOn ? 'control-off' : ''}
          onClick={() => (hasMic ? media.setMic(!state.micOn) : void media.switchDevice('audio', ''))}
        />
      )}
      {(hasCam || rights.camera) && (
        <Control
          icon={hasCam && state.camOn ? 'video' : 'videoOff'}
          label={hasCam && state.camOn ? 'Stop camera' : 'Start camera'}
          className={hasCam && !state.camOn ? 'control-off' : ''}
          onClick={() => (hasCam ? media.setCamera(!state.camOn) : void media.switchDevice('video', ''))}
        />
      )}
      <Popover
        label="Audio and video settings"
        buttonClass="control control-narrow"
        button={<Icon name="chevronUp" size={18} />}
      >
        <DeviceMenu media={media} hasMic={hasMic} hasCam={hasCam} />
      </Popover>
    </>
  );
}

function DeviceMenu({ media, hasMic, hasCam }: { media: MediaSession; hasMic: boolean; hasCam: boolean }) {
  const [devices, setDevices] = useState<Devices>();
  const [mic, setMic] = useState('');
  const [cam, setCam] = useState('');
  useEffect(() => {
    media.devices().then(setDevices, () => setDevices(undefined));
  }, [media]);
  if (!devices) return <p className="muted small">Looking for devices…</p>;
  return (
    <div className="stack-sm">
      {hasMic && (
        <DeviceSelect
          label="Microphone"
          devices={devices.microphones}
          value={mic}
          onChange={(id) => {
            setMic(id);
            void media.switchDevice('audio', id);
          }}
        />
      )}
      {hasCam && (
        <DeviceSelect
          label="Camera"
          devices={devices.cameras}
          value={cam}
          onChange={(id) => {
            setCam(id);
            void media.switchDevice('video', id);
          }}
        />
      )}
    </div>
  );
}
