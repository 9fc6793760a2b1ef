// Audio and video in the room: joining with camera and microphone (or listening only),
// mute and camera switches, and a strip of video tiles. Received audio plays through
// hidden <audio> elements (they must not be muted, or nothing is heard).
import { useEffect, useRef } from 'react';
import type { ParticipantId } from '../../proto/ParticipantId';
import { useStore } from '../../lib/useStore';
import type { MediaSession } from '../mediaSession';
import type { RoomState } from '../roomState';

function useSrcObject<T extends HTMLMediaElement>(stream: MediaStream) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return ref;
}

function VideoTile({ stream, name, self }: { stream: MediaStream; name: string; self?: boolean }) {
  const ref = useSrcObject<HTMLVideoElement>(stream);
  return (
    <figure className="video-tile" data-testid={`video-${name}`}>
      <video ref={ref} autoPlay playsInline muted aria-label={self ? 'Your camera' : `Video of ${name}`} />
      <figcaption>{self ? `${name} (you)` : name}</figcaption>
    </figure>
  );
}

function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useSrcObject<HTMLAudioElement>(stream);
  return <audio ref={ref} autoPlay />;
}

export function MediaStrip({ media, room }: { media: MediaSession; room: RoomState }) {
  const state = useStore(media.store);
  const nameOf = (id: ParticipantId | undefined) => (id ? (room.participants.get(id)?.name ?? 'Someone') : undefined);
  const mayMic = room.you.role !== 'attendee' || room.permissions.use_microphone;
  const mayCam = room.you.role !== 'attendee' || room.permissions.use_camera;

  if (state.phase !== 'on') {
    return (
      <div className="media-strip media-strip-off" role="region" aria-label="Audio and video">
        {state.phase === 'failed' && <span className="field-error">Audio and video failed: {state.message}</span>}
        <button
          type="button"
          className="btn btn-primary"
          disabled={state.phase === 'starting' || !(mayMic || mayCam)}
          onClick={() => void media.start({ audio: mayMic, video: mayCam })}
        >
          {state.phase === 'starting' ? 'Connecting…' : 'Join with audio and video'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={state.phase === 'starting'}
          onClick={() => void media.start({ audio: false, video: false })}
        >
          Listen only
        </button>
      </div>
    );
  }
  const hasMic = state.local.getAudioTracks().length > 0;
  const hasCam = state.local.getVideoTracks().length > 0;
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
        <button type="button" className="btn btn-ghost" onClick={() => media.stop()}>
          Leave audio
        </button>
      </div>
      <div className="video-tiles">
        {hasCam && <VideoTile stream={state.local} name={room.you.name} self />}
        {state.video.map((slot, i) => {
          const name = nameOf(slot.participant);
          return name ? <VideoTile key={`v${i}`} stream={slot.stream} name={name} /> : null;
        })}
      </div>
      {state.audio.map((slot, i) => (slot.participant ? <RemoteAudio key={`a${i}`} stream={slot.stream} /> : null))}
    </div>
  );
}
