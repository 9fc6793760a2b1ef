// The people on video: a grid that grows with the space, or the speaker view (the
// pinned person, or whoever speaks, in one large tile with the others small), either in
// the whole room when nothing is on stage or as a strip beside the content. Tile sizes
// come from videoLayout.ts and are reported to the server, which picks each video's
// layer by them. Received audio plays through hidden <audio> elements (they must not be
// muted, or nothing is heard).
import { useEffect, useRef, useState } from 'react';
import type { ParticipantId } from '../../proto/ParticipantId';
import { Icon } from '../../components/Icon';
import { useStore } from '../../lib/useStore';
import { layoutTiles, type View } from '../mediaLayout';
import type { MediaSession, Slot } from '../mediaSession';
import { rightsOf } from '../rights';
import type { RoomState } from '../roomState';
import { arrange, type Box, type Place } from '../videoLayout';

type Props = {
  media: MediaSession;
  room: RoomState;
  place: Place;
  view: View;
  onView: (v: View) => void;
  pinned: ParticipantId | undefined;
  onPin: (p: ParticipantId | undefined) => void;
};

function useSrcObject<T extends HTMLMediaElement>(stream: MediaStream | undefined) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (ref.current && stream && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return ref;
}

/** The content-box size of an element, kept current. */
function useBoxSize() {
  const ref = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState<Box>({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const b = entry?.contentBoxSize[0];
      if (b) setBox({ width: Math.floor(b.inlineSize), height: Math.floor(b.blockSize) });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, box };
}

type TileProps = {
  stream: MediaStream;
  name: string;
  box: Box;
  self?: boolean;
  speaking?: boolean;
  micOff?: boolean;
  pinned?: boolean;
  onPin?: () => void;
};

function VideoTile({ stream, name, box, self, speaking, micOff, pinned, onPin }: TileProps) {
  const ref = useSrcObject<HTMLVideoElement>(stream);
  const classes = ['video-tile', speaking ? 'video-tile-speaking' : '', self ? 'video-tile-self' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <figure
      className={classes}
      style={{ width: box.width, height: box.height }}
      data-testid={`video-${name}`}
      data-speaking={speaking ? 'true' : undefined}
    >
      <video ref={ref} autoPlay playsInline muted aria-label={self ? 'Your camera' : `Video of ${name}`} />
      <figcaption>
        {micOff && <Icon name="micOff" size={14} />}
        {self ? `${name} (you)` : name}
        {speaking && <span className="visually-hidden">, speaking</span>}
        {micOff && <span className="visually-hidden">, microphone off</span>}
      </figcaption>
      {onPin && (
        <button type="button" className="tile-pin" aria-pressed={pinned} onClick={onPin}>
          <Icon name="pin" size={14} />
          <span>{pinned ? `Unpin ${name}` : `Pin ${name}`}</span>
        </button>
      )}
    </figure>
  );
}

function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useSrcObject<HTMLAudioElement>(stream);
  return <audio ref={ref} autoPlay />;
}

export function VideoArea({ media, room, place, view, onView, pinned, onPin }: Props) {
  const state = useStore(media.store);
  const { ref, box } = useBoxSize();
  const on = state.phase === 'on';
  const filled = on
    ? state.video.filter((s): s is Slot & { participant: ParticipantId } => s.participant !== undefined)
    : [];
  const selfView = on && state.camOn && state.local.getVideoTracks().length > 0 ? state.local : undefined;
  const pinnedHere = pinned !== undefined && filled.some((s) => s.participant === pinned) ? pinned : undefined;
  const mainId = pinnedHere ?? room.dominantSpeaker;
  const featured = view === 'speaker' && filled.length > 0;
  const main = featured ? (filled.find((s) => s.participant === mainId) ?? filled[0]) : undefined;
  const rest = main ? filled.filter((s) => s !== main) : filled;
  const count = filled.length + (selfView ? 1 : 0);
  // Hidden while nothing shows, the area has no size yet: estimate one, so the server is
  // told a layout and starts sending the videos that will make it appear.
  const measured = box.width > 0 && box.height > 0;
  const area = measured ? box : { width: window.innerWidth, height: Math.round(window.innerHeight / 2) };
  const sizes = arrange(place, area, count, featured);
  const reported = count > 0 ? sizes : arrange(place, area, 1, false);
  const nameOf = (id: ParticipantId) => room.participants.get(id)?.name ?? 'Someone';
  const micOff = (id: ParticipantId) => room.participants.get(id)?.microphone === false;
  const presenter = rightsOf(room).presenter;

  // Report what is shown (which videos, how tall in device pixels) whenever it changes.
  const others = [...room.participants.keys()].filter((id) => id !== room.you.id);
  const othersKey = others.join(',');
  const dpr = window.devicePixelRatio || 1;
  const mainHeight = Math.round((reported.main?.height ?? 0) * dpr);
  const tileHeight = Math.round(reported.tile.height * dpr);
  useEffect(() => {
    if (!on) return;
    const ids = othersKey ? othersKey.split(',') : [];
    const sizes = { grid: tileHeight || mainHeight, main: mainHeight || tileHeight, thumb: tileHeight || mainHeight };
    media.setLayout(layoutTiles(view, ids, pinnedHere, sizes));
  }, [media, on, view, othersKey, pinnedHere, mainHeight, tileHeight]);

  const pin = (id: ParticipantId) => () => {
    if (pinned === id) onPin(undefined);
    else {
      onPin(id);
      onView('speaker');
    }
  };
  const tile = (slot: Slot & { participant: ParticipantId }, b: Box) => (
    <VideoTile
      key={slot.participant}
      stream={slot.stream}
      name={nameOf(slot.participant)}
      box={b}
      speaking={slot.participant === room.dominantSpeaker}
      micOff={micOff(slot.participant)}
      pinned={pinned === slot.participant}
      onPin={pin(slot.participant)}
    />
  );

  return (
    <section
      className={`video-area video-area-${place}${featured ? ' video-area-featured' : ''}${count === 0 && !(on && state.undecodable.length) ? ' video-area-empty' : ''}`}
      aria-label="Audio and video"
    >
      {on && (
        <div className="video-toolbar">
          <div className="segmented" role="group" aria-label="Layout">
            <button type="button" aria-pressed={view === 'grid'} onClick={() => onView('grid')}>
              <Icon name="grid" size={16} />
              <span>Grid view</span>
            </button>
            <button type="button" aria-pressed={view === 'speaker'} onClick={() => onView('speaker')}>
              <Icon name="speaker" size={16} />
              <span>Speaker view</span>
            </button>
          </div>
          {presenter && (
            <button type="button" className="btn btn-sm video-toolbar-action" onClick={() => media.muteEveryone()}>
              <Icon name="micOff" size={16} />
              Mute everyone
            </button>
          )}
        </div>
      )}
      {on &&
        state.undecodable.map((t) => (
          <p key={`${t.publisher}-${t.kind}`} className="video-note" role="status">
            {nameOf(t.publisher)}&apos;s {t.kind} uses {t.codec}, which this browser cannot play.
          </p>
        ))}
      <div ref={ref} className="video-tiles">
        {main && <div className="video-main">{tile(main, sizes.main ?? sizes.tile)}</div>}
        {(rest.length > 0 || selfView) && (
          <div className="video-rest" style={{ gridTemplateColumns: `repeat(${Math.max(1, sizes.columns)}, auto)` }}>
            {selfView && (
              <VideoTile
                stream={selfView}
                name={room.you.name}
                self
                box={sizes.tile.width ? sizes.tile : (sizes.main ?? sizes.tile)}
              />
            )}
            {rest.map((s) => tile(s, sizes.tile))}
          </div>
        )}
      </div>
      {on &&
        state.audio.map((slot, i) => (slot.participant ? <RemoteAudio key={`a${i}`} stream={slot.stream} /> : null))}
    </section>
  );
}
