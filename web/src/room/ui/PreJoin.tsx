// The pre-join check on the join page: a camera preview, a microphone level meter,
// switches and device menus. What is on when "Join meeting" is pressed is what the room
// joins with; with nothing checked, the room joins listening (hearing and seeing everyone).
import { useEffect, useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import { useStore } from '../../lib/useStore';
import { DevicePreview, lastMediaChoice, type MediaChoice } from '../devicePreview';

type Props = { preview: DevicePreview; choice: MediaChoice; onChoice: (c: MediaChoice) => void };

export function PreJoin({ preview, choice, onChoice }: Props) {
  const state = useStore(preview.store);
  const level = useStore(preview.meter.level);

  const start = (next: MediaChoice) => {
    onChoice(next);
    void preview.start(next);
  };

  // Someone who joined with media last time, in a browser that allows it without asking,
  // finds the check already running with their last choice. Nobody else is asked unprompted.
  const [auto] = useState(lastMediaChoice);
  useEffect(() => {
    let live = true;
    if (!auto.microphone && !auto.camera) return;
    void DevicePreview.granted().then((granted) => {
      if (!live || !granted || preview.store.get().phase !== 'idle') return;
      onChoice(auto);
      void preview.start(auto);
    });
    return () => {
      live = false;
    };
  }, [preview, auto, onChoice]);
  const toggle = (kind: 'microphone' | 'camera') => {
    const next = { ...choice, [kind]: !choice[kind] };
    if (state.phase === 'on' || state.phase === 'failed') start(next);
    else onChoice(next);
  };
  const stream = state.phase === 'on' ? state.stream : undefined;
  const devices = state.phase === 'on' ? state.devices : undefined;
  const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
  const checked = state.phase === 'on';

  return (
    <section className="prejoin" aria-labelledby="prejoin-title">
      <h2 id="prejoin-title" className="prejoin-title">
        Camera and microphone
      </h2>
      <div className="prejoin-preview">
        {hasVideo && stream ? (
          <Preview stream={stream} />
        ) : (
          <div className="prejoin-placeholder">
            <Icon name="video" size={28} />
            <span>{checked ? 'Camera off' : 'Not checked yet'}</span>
          </div>
        )}
        {state.phase === 'idle' && (
          <button
            type="button"
            className="btn btn-primary prejoin-check"
            onClick={() => start({ ...choice, microphone: true, camera: true })}
          >
            Check camera and microphone
          </button>
        )}
      </div>
      {checked && (
        <>
          <div className="prejoin-switches" role="group" aria-label="Join with">
            <button
              type="button"
              className="btn btn-sm"
              aria-pressed={choice.microphone}
              onClick={() => toggle('microphone')}
            >
              <Icon name={choice.microphone ? 'mic' : 'micOff'} size={16} />
              Microphone
            </button>
            <button type="button" className="btn btn-sm" aria-pressed={choice.camera} onClick={() => toggle('camera')}>
              <Icon name={choice.camera ? 'video' : 'videoOff'} size={16} />
              Camera
            </button>
            <div
              className="level-meter"
              role="meter"
              aria-label="Microphone level"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(level * 100)}
            >
              <span className="level-meter-fill" style={{ transform: `scaleX(${level})` }} />
            </div>
          </div>
          {devices && (
            <div className="prejoin-devices">
              <DeviceSelect
                label="Microphone"
                devices={devices.microphones}
                value={choice.microphoneId}
                disabled={!choice.microphone}
                onChange={(id) => start({ ...choice, microphoneId: id })}
              />
              <DeviceSelect
                label="Camera"
                devices={devices.cameras}
                value={choice.cameraId}
                disabled={!choice.camera}
                onChange={(id) => start({ ...choice, cameraId: id })}
              />
            </div>
          )}
        </>
      )}
      {state.phase === 'failed' && (
        <p className="field-error" role="alert">
          Camera or microphone unavailable ({state.message}). You can still join and listen.
        </p>
      )}
      <p className="muted small">
        {choice.microphone || choice.camera
          ? `You join with your ${[choice.microphone && 'microphone', choice.camera && 'camera'].filter(Boolean).join(' and ')} on.`
          : 'You join listening: you hear and see everyone; turn on your microphone or camera any time.'}
      </p>
    </section>
  );
}

function Preview({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} className="prejoin-video" autoPlay playsInline muted aria-label="Camera preview" />;
}

/** A menu of one kind of device, filled once the browser has shown their names. */
export function DeviceSelect(props: {
  label: string;
  devices: readonly MediaDeviceInfo[];
  value: string;
  disabled?: boolean;
  onChange: (id: string) => void;
}) {
  const { label, devices, value, disabled, onChange } = props;
  return (
    <label className="device-select">
      <span>{label}</span>
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        <option value="">Default</option>
        {devices
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `${label} ${i + 1}`}
            </option>
          ))}
      </select>
    </label>
  );
}
