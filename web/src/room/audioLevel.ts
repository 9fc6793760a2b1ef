// The level meter of the pre-join screen: how loud the microphone is, 0 to 1, sampled
// from a Web Audio analyser. `levelOf` is the pure part (tested); `LevelMeter` is the
// thin shell around the browser's audio graph. No React.
import { Store } from '../lib/store';

/** Below this the meter shows nothing (room noise); 0 dBFS fills it. */
const floorDb = -60;

/** Loudness of time-domain samples in [-1, 1], mapped from [floorDb, 0] dBFS to [0, 1]. */
export function levelOf(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of Array.from(samples)) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - floorDb) / -floorDb));
}

/** Samples a stream's audio about 15 times a second while started. */
export class LevelMeter {
  readonly level = new Store<number>(0);
  private context: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(stream: MediaStream): void {
    this.stop();
    if (stream.getAudioTracks().length === 0) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    this.context = context;
    this.timer = setInterval(() => {
      analyser.getFloatTimeDomainData(buffer);
      this.level.set(levelOf(buffer));
    }, 66);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
    this.level.set(0);
  }
}
