// Audio and video in the room: choosing microphone and camera (with a preview), joining
// with them or listening only, mute and camera switches, device switching, a grid of
// cameras with the active speaker highlighted or a speaker view, and the layout reported
// to the server (which videos, how tall). Received audio plays through hidden <audio>
// elements (they must not be muted, or nothing is heard).
import { useEffect, useRef, useState } from 'react';
import type { ParticipantId } from '../../proto/ParticipantId';
import { useStore } from '../../lib/useStore';
import { layoutTiles, type TileSizes, type View } from '../mediaLayout';
import type { Devices, MediaSession, Slot } from '../mediaSession';
import { isPresenterRole, type RoomState } from '../roomState';

function useSrcObject<T extends HTMLMediaElement>(stream: MediaStream | undefined) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (ref.current && stream && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return ref;
}

type TileProps = {
  stream: MediaStream;
  name: string;
  self?: boolean;
  speaking?: boolean;
  size: 'grid' | 'main' | 'thumb';
  onPin?: () => void;
  pinned?: boolean;
};

function VideoTile({ stream, name, self, speaking, size, onPin, pinned }: TileProps) {
  const ref = useSrcObject<HTMLVideoElement>(stream);
  const classes = ['video-tile', `video-tile-${size}`, speaking ? 'video-tile-speaking' : ''].join(' ');
  return (
    <figure className={classes} data-testid={`video-${name}`} data-speaking={speaking ? 'true' : undefined}>
      <video ref={ref} autoPlay playsInline muted aria-label={self ? 'Your camera' : `Video of ${name}`} />
      <figcaption>
        {self ? `${name} (you)` : name}
        {speaking && <span className="visually-hidden">, speaking</span>}
      </figcaption>
      {onPin && (
        <button type="button" className="tile-pin" aria-pressed={pinned} onClick={onPin}>
          {pinned ? `Unpin ${name}` : `Pin ${name}`}
        </button>
      )}
    </figure>
  );
}

function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useSrcObject<HTMLAudioElement>(stream);
  return <audio ref={ref} autoPlay />;
}

/** Microphone and camera menus, filled once devices can be listed. */
function DevicePicker({
  devices,
  mic,
  cam,
  onMic,
  onCam,
}: {
  devices: Devices | undefined;
  mic: string;
  cam: string;
  onMic: (id: string) => void;
  onCam: (id: string) => void;
}) {
  if (!devices) return null;
  const label = (d: MediaDeviceInfo, i: number, kind: string) => d.label || `${kind} ${i + 1}`;
  return (
    <div className="device-picker">
      <label>
        Microphone
        <select value={mic} onChange={(e) => onMic(e.target.value)}>
          {devices.microphones.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {label(d, i, 'Microphone')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Camera
        <select value={cam} onChange={(e) => onCam(e.target.value)}>
          {devices.cameras.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {label(d, i, 'Camera')}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Heights of the tiles in device pixels, from the strip's width and the view. */
function useTileSizes(view: View, on: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry?.contentRect.width ?? 0));
    observer.observe(el);
    return () => observer.disconnect();
  }, [view, on]);
  const dpr = window.devicePixelRatio || 1;
  // Mirrors room.css: grid columns at least 240 px wide, 16:9 tiles; speaker view
  // main tile min(360 px, 35% of the window) tall and 160x90 thumbnails.
  const columns = Math.max(1, Math.floor(width / 240));
  const gridHeight = ((width / columns) * 9) / 16;
  const sizes: TileSizes = {
    grid: Math.round(gridHeight * dpr),
    main: Math.round(Math.min(360, window.innerHeight * 0.35) * dpr),
    thumb: Math.round(90 * dpr),
  };
  return { ref, sizes, measured: width > 0 };
}

export function MediaStrip({ media, room }: { media: MediaSession; room: RoomState }) {
  const state = useStore(media.store);
  const [devices, setDevices] = useState<Devices>();
  const [mic, setMic] = useState('');
  const [cam, setCam] = useState('');
  const [view, setView] = useState<View>('grid');
  const [pinned, setPinned] = useState<ParticipantId>();
  const on = state.phase === 'on';
  const { ref: tilesRef, sizes, measured } = useTileSizes(view, on);
  const nameOf = (id: ParticipantId | undefined) => (id ? (room.participants.get(id)?.name ?? 'Someone') : undefined);
  const presenter = isPresenterRole(room.you.role);
  const mayMic = room.mediaLimits.ip_audio && (presenter || room.permissions.use_microphone);
  const mayCam = room.mediaLimits.ip_video && (presenter || room.permissions.use_camera);

  useEffect(() => {
    media.devices().then(setDevices, () => setDevices(undefined));
  }, [media, on]);

  // Report the layout whenever what is shown changes.
  const others = [...room.participants.keys()].filter((id) => id !== room.you.id);
  const othersKey = others.join(',');
  useEffect(() => {
    if (!on || !measured) return;
    media.setLayout(layoutTiles(view, othersKey ? othersKey.split(',') : [], pinned, sizes));
  }, [media, on, measured, view, othersKey, pinned, sizes.grid, sizes.main, sizes.thumb]); // eslint-disable-line react-hooks/exhaustive-deps

  if (state.phase !== 'on') {
    const starting = state.phase === 'starting';
    const preview = state.phase === 'off' ? state.preview : undefined;
    return (
      <div className="media-strip media-strip-off" role="region" aria-label="Audio and video">
        {state.phase === 'failed' && <span className="field-error">Audio and video failed: {state.message}</span>}
        <button
          type="button"
          className="btn btn-primary"
          disabled={starting || !(mayMic || mayCam)}
          onClick={() => void media.start({ audio: mayMic && (mic || true), video: mayCam && (cam || true) })}
        >
          {starting ? 'Connecting…' : 'Join with audio and video'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={starting}
          onClick={() => void media.start({ audio: false, video: false })}
        >
          Listen only
        </button>
        {mayCam && (
          <button
            type="button"
            className="btn btn-ghost"
            disabled={starting}
            onClick={() => void media.preview(preview ? false : cam || true)}
          >
            {preview ? 'Stop preview' : 'Preview camera'}
          </button>
        )}
        <DevicePicker
          devices={devices}
          mic={mic}
          cam={cam}
          onMic={setMic}
          onCam={(id) => {
            setCam(id);
            if (preview) void media.preview(id);
          }}
        />
        {preview && <VideoTile stream={preview} name={room.you.name} self size="thumb" />}
      </div>
    );
  }

  const hasMic = state.local.getAudioTracks().length > 0;
  const hasCam = state.local.getVideoTracks().length > 0;
  const filled = state.video.filter((s): s is Slot & { participant: ParticipantId } => s.participant !== undefined);
  const mainId = pinned ?? room.dominantSpeaker;
  const main = view === 'speaker' ? (filled.find((s) => s.participant === mainId) ?? filled[0]) : undefined;
  const tiles = main ? filled.filter((s) => s !== main) : filled;
  const pin = (id: ParticipantId) => () => setPinned((p) => (p === id ? undefined : id));

  return (
    <div className="media-strip" role="region" aria-label="Audio and video">
      <div className="media-controls">
        {hasMic && (
          <button type="button" className="btn" aria-pressed={!state.micOn} onClick={() => media.setMic(!state.micOn)}>
            {state.micOn ? 'Mute' : 'Unmute'}
          </button>
        )}
        {hasCam && (
          <button type="button" className="btn" onClick={() => media.setCamera(!state.camOn)}>
            {state.camOn ? 'Stop camera' : 'Start camera'}
          </button>
        )}
        <button
          type="button"
          className="btn"
          aria-pressed={view === 'speaker'}
          onClick={() => setView(view === 'grid' ? 'speaker' : 'grid')}
        >
          {view === 'grid' ? 'Speaker view' : 'Grid view'}
        </button>
        {presenter && (
          <button type="button" className="btn" onClick={() => media.muteEveryone()}>
            Mute everyone
          </button>
        )}
        <button type="button" className="btn btn-ghost" onClick={() => media.stop()}>
          Leave audio
        </button>
      </div>
      {(hasMic || hasCam) && (
        <DevicePicker
          devices={devices}
          mic={mic}
          cam={cam}
          onMic={(id) => {
            setMic(id);
            void media.switchDevice('audio', id);
          }}
          onCam={(id) => {
            setCam(id);
            if (mayCam) void media.switchDevice('video', id);
          }}
        />
      )}
      {state.unmuteAsked && (
        <div className="banner banner-info" role="alertdialog" aria-label="Unmute request">
          {nameOf(state.unmuteAsked)} asks you to unmute.
          <button type="button" className="btn btn-primary" onClick={() => media.setMic(true)}>
            Unmute
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => media.dismissUnmute()}>
            Not now
          </button>
        </div>
      )}
      {state.videoError && <span className="field-error">Camera unavailable ({state.videoError}); audio only.</span>}
      {state.undecodable.map((t) => (
        <p key={`${t.publisher}-${t.kind}`} className="field-error" role="status">
          {nameOf(t.publisher)}&apos;s {t.kind} uses {t.codec}, which this browser cannot play.
        </p>
      ))}
      <div ref={tilesRef} className={`video-tiles video-tiles-${view}`}>
        {main && (
          <VideoTile
            stream={main.stream}
            name={nameOf(main.participant) ?? ''}
            speaking={main.participant === room.dominantSpeaker}
            size="main"
            onPin={pin(main.participant)}
            pinned={pinned === main.participant}
          />
        )}
        {hasCam && state.camOn && <VideoTile stream={state.local} name={room.you.name} self size="thumb" />}
        {tiles.map((slot) => (
          <VideoTile
            key={slot.participant}
            stream={slot.stream}
            name={nameOf(slot.participant) ?? ''}
            speaking={slot.participant === room.dominantSpeaker}
            size={view === 'grid' ? 'grid' : 'thumb'}
            onPin={pin(slot.participant)}
            pinned={pinned === slot.participant}
          />
        ))}
      </div>
      {state.audio.map((slot, i) => (slot.participant ? <RemoteAudio key={`a${i}`} stream={slot.stream} /> : null))}
    </div>
  );
}
