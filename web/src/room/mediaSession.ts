// Audio and video for one participant: local capture, one RTCPeerConnection to the SFU with
// the local tracks plus fixed receive slots, and which participant fills which slot.
// Signalling rides the room channel (media_offer → media_answer, media_slots). No React here.
import type { ClientMsg } from '../proto/ClientMsg';
import type { ParticipantId } from '../proto/ParticipantId';
import { Store } from '../lib/store';
import type { MediaMessage, RoomClient } from './roomClient';

/** Receive slots per kind: the 3 loudest plus the dominant speaker; the visible tiles. */
export const audioSlots = 4;
export const videoSlots = 9;

export type Slot = { participant: ParticipantId | undefined; stream: MediaStream };

export type MediaState =
  | { phase: 'off' }
  | { phase: 'starting' }
  | {
      phase: 'on';
      local: MediaStream;
      micOn: boolean;
      camOn: boolean;
      audio: readonly Slot[];
      video: readonly Slot[];
    }
  | { phase: 'failed'; message: string };

export class MediaSession {
  readonly store = new Store<MediaState>({ phase: 'off' });
  private pc: RTCPeerConnection | undefined;
  private local: MediaStream | undefined;
  private slots: { audio: (ParticipantId | null)[]; video: (ParticipantId | null)[] } = { audio: [], video: [] };
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private lastPhase: string;

  constructor(
    client: RoomClient,
    private readonly send: (msg: ClientMsg) => void,
  ) {
    this.unsubscribe = client.onMedia((msg) => void this.onMessage(msg));
    this.lastPhase = client.state.phase.kind;
    // After a reconnection the server has forgotten this peer connection: offer anew.
    this.unwatch = client.store.subscribe(() => {
      const phase = client.state.phase.kind;
      if (phase === 'live' && this.lastPhase === 'reconnecting' && this.local) void this.negotiate();
      this.lastPhase = phase;
    });
  }

  /** Captures microphone and/or camera and joins the meeting's media. */
  async start(opts: { audio: boolean; video: boolean }): Promise<void> {
    this.store.set({ phase: 'starting' });
    try {
      this.local =
        opts.audio || opts.video
          ? await navigator.mediaDevices.getUserMedia({
              audio: opts.audio,
              video: opts.video ? { width: 1280, height: 720 } : false,
            })
          : new MediaStream();
      await this.negotiate();
    } catch (e) {
      this.store.set({ phase: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async negotiate(): Promise<void> {
    this.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    const local = this.local ?? new MediaStream();
    for (const track of local.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [local] });
    for (let i = 0; i < audioSlots; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
    for (let i = 0; i < videoSlots; i++) pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    this.publish();
    const sdp = pc.localDescription?.sdp;
    if (sdp) this.send({ type: 'media_offer', sdp });
  }

  private async onMessage(msg: MediaMessage): Promise<void> {
    if (msg.type === 'media_answer') {
      await this.pc?.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } else {
      this.slots = { audio: msg.audio, video: msg.video };
    }
    this.publish();
  }

  /** The receive transceivers of one kind, in offer order (= the server's slot order). */
  private receivers(kind: 'audio' | 'video'): MediaStream[] {
    return (this.pc?.getTransceivers() ?? [])
      .filter((t) => t.direction === 'recvonly' && t.receiver.track.kind === kind)
      .map((t) => new MediaStream([t.receiver.track]));
  }

  private publish(): void {
    if (!this.local || !this.pc) return;
    const slots = (kind: 'audio' | 'video'): Slot[] =>
      this.receivers(kind).map((stream, i) => ({ participant: this.slots[kind][i] ?? undefined, stream }));
    const track = (kind: 'audio' | 'video') => this.local?.getTracks().find((t) => t.kind === kind);
    this.store.set({
      phase: 'on',
      local: this.local,
      micOn: track('audio')?.enabled ?? false,
      camOn: track('video')?.enabled ?? false,
      audio: slots('audio'),
      video: slots('video'),
    });
  }

  /** Mutes or unmutes the microphone (the track keeps its slot; it sends silence). */
  setMic(on: boolean): void {
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = on;
    this.publish();
  }

  setCamera(on: boolean): void {
    for (const t of this.local?.getVideoTracks() ?? []) t.enabled = on;
    this.publish();
  }

  stop(): void {
    this.pc?.close();
    this.pc = undefined;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = undefined;
    this.store.set({ phase: 'off' });
  }

  dispose(): void {
    this.stop();
    this.unsubscribe();
    this.unwatch();
  }
}
