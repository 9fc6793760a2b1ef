// The pre-join check of camera and microphone: captures both (or what is allowed),
// lists the devices once labels are granted, measures the microphone's level, and
// switches devices. The choice the person makes is what the room joins with
// (`MediaChoice`, kept per tab beside the join token). No React here.
import { Store } from '../lib/store';
import { LevelMeter } from './audioLevel';
import type { Devices } from './mediaSession';

/** What to join with: a switch per kind, and the device chosen (empty: the default). */
export type MediaChoice = { microphone: boolean; camera: boolean; microphoneId: string; cameraId: string };

export const listenOnly: MediaChoice = { microphone: false, camera: false, microphoneId: '', cameraId: '' };

export type PreviewState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  | { phase: 'on'; stream: MediaStream; devices: Devices }
  | { phase: 'failed'; message: string };

export class DevicePreview {
  readonly store = new Store<PreviewState>({ phase: 'idle' });
  readonly meter = new LevelMeter();
  private stream: MediaStream | undefined;

  /** Whether the browser already lets this page use the camera (no prompt would show). */
  static async granted(): Promise<boolean> {
    try {
      const status = await navigator.permissions.query({ name: 'camera' });
      return status.state === 'granted';
    } catch {
      return false;
    }
  }

  /** Captures the chosen devices (a kind switched off is not captured). */
  async start(choice: MediaChoice): Promise<void> {
    this.store.set({ phase: 'starting' });
    this.release();
    const pick = (on: boolean, id: string, extra: MediaTrackConstraints = {}) =>
      on ? (id ? { ...extra, deviceId: { exact: id } } : extra) : false;
    try {
      const audio = pick(choice.microphone, choice.microphoneId);
      const video = pick(choice.camera, choice.cameraId, { width: 1280, height: 720 });
      const stream = audio || video ? await navigator.mediaDevices.getUserMedia({ audio, video }) : new MediaStream();
      this.stream = stream;
      this.meter.start(stream);
      const all = await navigator.mediaDevices.enumerateDevices();
      this.store.set({
        phase: 'on',
        stream,
        devices: {
          microphones: all.filter((d) => d.kind === 'audioinput'),
          cameras: all.filter((d) => d.kind === 'videoinput'),
        },
      });
    } catch (e) {
      this.store.set({ phase: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private release(): void {
    this.meter.stop();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
  }

  /** Frees the devices (before the room captures them itself). */
  stop(): void {
    this.release();
    this.store.set({ phase: 'idle' });
  }
}

const choicePrefix = 'confab.media.';
const lastChoiceKey = 'confab.lastMediaChoice';

function parseChoice(raw: string | null): MediaChoice {
  const parsed = raw ? (JSON.parse(raw) as Partial<MediaChoice>) : {};
  return {
    microphone: parsed.microphone === true,
    camera: parsed.camera === true,
    microphoneId: typeof parsed.microphoneId === 'string' ? parsed.microphoneId : '',
    cameraId: typeof parsed.cameraId === 'string' ? parsed.cameraId : '',
  };
}

/**
 * Remembers, for this tab, what to join a meeting's audio and video with, and in this
 * browser what was chosen last (the next pre-join check starts from it).
 */
export function saveMediaChoice(meetingId: string, choice: MediaChoice): void {
  try {
    globalThis.sessionStorage.setItem(choicePrefix + meetingId, JSON.stringify(choice));
    globalThis.localStorage.setItem(lastChoiceKey, JSON.stringify(choice));
  } catch {
    // Storage disabled: the room then joins listening only.
  }
}

/** The remembered choice, or listening only (join hearing and seeing everyone, sending nothing). */
export function loadMediaChoice(meetingId: string): MediaChoice {
  try {
    return parseChoice(globalThis.sessionStorage.getItem(choicePrefix + meetingId));
  } catch {
    return listenOnly;
  }
}

/** What this browser joined its last meeting with (listening only if nothing is known). */
export function lastMediaChoice(): MediaChoice {
  try {
    return parseChoice(globalThis.localStorage.getItem(lastChoiceKey));
  } catch {
    return listenOnly;
  }
}
