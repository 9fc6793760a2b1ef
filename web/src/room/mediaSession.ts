// Audio and video for one participant: device choice and preview, local capture, one
// RTCPeerConnection to the SFU with the local tracks (the camera as three simulcast
// encodings) plus fixed receive slots, the layout reported to the server, and which
// participant fills which slot. Signalling rides the room channel (media_offer →
// media_answer, media_slots, media_layers, media_undecodable; media_layout and set_media
// out). No React here.
import type { ClientMsg } from '../proto/ClientMsg';
import type { MediaTile } from '../proto/MediaTile';
import type { ParticipantId } from '../proto/ParticipantId';
import type { SimulcastLayer } from '../proto/SimulcastLayer';
import type { UndecodableTrack } from '../proto/UndecodableTrack';
import { Store } from '../lib/store';
import { captureHeight, encodingsFor } from './mediaLayout';
import type { MediaMessage, RoomClient } from './roomClient';
import { rightsOf } from './rights';
import type { RoomState } from './roomState';

/** Receive slots per kind: the 3 loudest plus the dominant speaker; the visible tiles. */
export const audioSlots = 4;
export const videoSlots = 9;

export type Slot = { participant: ParticipantId | undefined; stream: MediaStream };

export type Devices = { microphones: MediaDeviceInfo[]; cameras: MediaDeviceInfo[] };

/** What to capture: `false` for nothing, `true` for the default device, or a device id. */
export type Choice = boolean | string;

export type MediaState =
  | { phase: 'off'; preview: MediaStream | undefined }
  | { phase: 'starting' }
  | {
      phase: 'on';
      local: MediaStream;
      micOn: boolean;
      camOn: boolean;
      audio: readonly Slot[];
      video: readonly Slot[];
      /** Why the camera could not start, when audio went ahead without it. */
      videoError: string | undefined;
      /** A presenter asked you to unmute (their id), until you answer. */
      unmuteAsked: ParticipantId | undefined;
      /** Others' tracks this browser cannot decode (the server does not send them). */
      undecodable: readonly UndecodableTrack[];
    }
  | { phase: 'failed'; message: string };

function constraint(choice: Choice, extra: MediaTrackConstraints = {}): boolean | MediaTrackConstraints {
  if (choice === false) return false;
  return typeof choice === 'string' ? { ...extra, deviceId: { exact: choice } } : extra;
}

const cameraSize: MediaTrackConstraints = { width: (captureHeight * 16) / 9, height: captureHeight };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class MediaSession {
  readonly store = new Store<MediaState>({ phase: 'off', preview: undefined });
  private pc: RTCPeerConnection | undefined;
  private local: MediaStream | undefined;
  private slots: { audio: (ParticipantId | null)[]; video: (ParticipantId | null)[] } = { audio: [], video: [] };
  private undecodable: readonly UndecodableTrack[] = [];
  private streams = new WeakMap<RTCRtpTransceiver, MediaStream>();
  private layout: MediaTile[] = [];
  private sentLayout = '';
  private micOn = false;
  private camOn = false;
  private videoError: string | undefined;
  private unmuteAsked: ParticipantId | undefined;
  private lastRequestSeq = 0;
  private inbox: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private lastPhase: string;

  constructor(
    private readonly client: RoomClient,
    private readonly send: (msg: ClientMsg) => void,
  ) {
    // One message at a time, in order: an answer, slots and layer changes each await the
    // browser, and interleaved they would apply out of order (or reject each other).
    this.unsubscribe = client.onMedia((msg) => {
      this.inbox = this.inbox.then(() => this.onMessage(msg)).catch((e: unknown) => this.fail(e));
    });
    this.lastPhase = client.state.phase.kind;
    this.unwatch = client.store.subscribe(() => {
      const phase = client.state.phase.kind;
      // After a reconnection the server has forgotten this peer connection: offer anew.
      if (phase === 'live' && this.lastPhase === 'reconnecting' && this.local)
        this.negotiate().catch((e: unknown) => this.fail(e));
      this.lastPhase = phase;
      const room = client.state.room;
      if (room) this.followRoom(room);
    });
  }

  /** Lists microphones and cameras (labels appear once a device was granted). */
  async devices(): Promise<Devices> {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      microphones: all.filter((d) => d.kind === 'audioinput'),
      cameras: all.filter((d) => d.kind === 'videoinput'),
    };
  }

  /** Shows a camera before joining (`false`: stop the preview). */
  async preview(camera: Choice): Promise<void> {
    const state = this.store.get();
    if (state.phase !== 'off') return;
    for (const t of state.preview?.getTracks() ?? []) t.stop();
    if (camera === false) {
      this.store.set({ phase: 'off', preview: undefined });
      return;
    }
    try {
      const preview = await navigator.mediaDevices.getUserMedia({ video: constraint(camera, cameraSize) });
      this.store.set({ phase: 'off', preview });
    } catch (e) {
      this.store.set({ phase: 'failed', message: message(e) });
    }
  }

  /**
   * Captures the chosen microphone and camera and joins the meeting's media. Listening
   * only captures nothing (no permission prompt at all). If the camera cannot start,
   * audio goes ahead without it.
   */
  async start(opts: { audio: Choice; video: Choice }): Promise<void> {
    const before = this.store.get();
    if (before.phase === 'off') for (const t of before.preview?.getTracks() ?? []) t.stop();
    this.store.set({ phase: 'starting' });
    const limits = this.client.state.room?.mediaLimits;
    const video = limits && encodingsFor(limits).length === 0 ? false : opts.video;
    this.videoError = undefined;
    try {
      this.local = await this.capture(opts.audio, video);
      this.micOn = this.local.getAudioTracks().length > 0;
      this.camOn = this.local.getVideoTracks().length > 0;
      await this.negotiate();
    } catch (e) {
      this.store.set({ phase: 'failed', message: message(e) });
    }
  }

  private async capture(audio: Choice, video: Choice): Promise<MediaStream> {
    if (audio === false && video === false) return new MediaStream();
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio: constraint(audio),
        video: constraint(video, cameraSize),
      });
    } catch (e) {
      if (video === false || audio === false) throw e;
      // Audio keeps working when video cannot.
      this.videoError = message(e);
      return navigator.mediaDevices.getUserMedia({ audio: constraint(audio) });
    }
  }

  private async negotiate(): Promise<void> {
    this.pc?.close();
    this.undecodable = [];
    // No public STUN: the SFU's own candidates, plus TURN relays when configured.
    const iceServers = (this.client.state.room?.iceServers ?? []).map((s) => ({ ...s, urls: [...s.urls] }));
    const pc = new RTCPeerConnection({ iceServers });
    this.pc = pc;
    const local = this.local ?? new MediaStream();
    for (const track of local.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [local] });
    const limits = this.client.state.room?.mediaLimits;
    for (const track of local.getVideoTracks()) {
      const sendEncodings = limits ? encodingsFor(limits) : [];
      pc.addTransceiver(track, { direction: 'sendonly', streams: [local], sendEncodings });
    }
    for (let i = 0; i < audioSlots; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
    for (let i = 0; i < videoSlots; i++) pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    this.publish();
    const sdp = pc.localDescription?.sdp;
    if (sdp) this.send({ type: 'media_offer', sdp });
  }

  private async onMessage(msg: MediaMessage): Promise<void> {
    switch (msg.type) {
      case 'media_answer':
        await this.pc?.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
        // The server starts from "switches on" and a default layout: tell it ours.
        this.sendSwitches();
        this.sentLayout = '';
        this.sendLayout();
        break;
      case 'media_slots':
        this.slots = { audio: msg.audio, video: msg.video };
        break;
      case 'media_layers':
        await this.pauseLayers(msg.active);
        break;
      case 'media_undecodable':
        this.undecodable = msg.tracks;
        break;
    }
    this.publish();
  }

  /** The connection cannot work any more (say, the browser refused the answer): say why. */
  private fail(e: unknown): void {
    this.stop();
    this.store.set({ phase: 'failed', message: message(e) });
  }

  /** Keeps the encodings somebody receives, pauses the others. */
  private async pauseLayers(active: readonly SimulcastLayer[]): Promise<void> {
    const sender = this.sender('video');
    if (!sender) return;
    const params = sender.getParameters();
    let changed = false;
    for (const e of params.encodings) {
      const on = e.rid === undefined || active.includes(e.rid as SimulcastLayer);
      if (e.active !== on) {
        e.active = on;
        changed = true;
      }
    }
    if (changed) await sender.setParameters(params);
  }

  private sender(kind: 'audio' | 'video'): RTCRtpSender | undefined {
    return this.pc?.getTransceivers().find((t) => t.direction === 'sendonly' && t.sender.track?.kind === kind)?.sender;
  }

  /** Reports which videos the page shows; sent only when it changes. */
  setLayout(tiles: MediaTile[]): void {
    this.layout = tiles;
    this.sendLayout();
  }

  private sendLayout(): void {
    const json = JSON.stringify(this.layout);
    if (!this.pc || json === this.sentLayout) return;
    this.sentLayout = json;
    this.send({ type: 'media_layout', tiles: this.layout });
  }

  private sendSwitches(): void {
    if (this.pc) this.send({ type: 'set_media', microphone: this.micOn, camera: this.camOn });
  }

  /** Reacts to presenters' requests and to permissions taken away. */
  private followRoom(room: RoomState): void {
    const req = room.mediaRequest;
    if (req && req.seq > this.lastRequestSeq) {
      this.lastRequestSeq = req.seq;
      if (req.request === 'mute') this.switchLocal('audio', false);
      if (req.request === 'stop_camera') this.switchLocal('video', false);
      if (req.request === 'unmute' && !this.micOn && this.local?.getAudioTracks().length) this.unmuteAsked = req.by;
      this.publish();
    }
    const rights = rightsOf(room);
    if (!rights.microphone && this.micOn) this.switchLocal('audio', false);
    if (!rights.camera && this.camOn) this.switchLocal('video', false);
  }

  /** Turns a local track off or on without telling the server (it already knows). */
  private switchLocal(kind: 'audio' | 'video', on: boolean): void {
    for (const t of kind === 'audio' ? (this.local?.getAudioTracks() ?? []) : (this.local?.getVideoTracks() ?? []))
      t.enabled = on;
    if (kind === 'audio') this.micOn = on;
    else this.camOn = on;
    this.publish();
  }

  /** The receive transceivers of one kind, in offer order (= the server's slot order). */
  private receivers(kind: 'audio' | 'video'): MediaStream[] {
    return (this.pc?.getTransceivers() ?? [])
      .filter((t) => t.direction === 'recvonly' && t.receiver.track.kind === kind)
      .map((t) => {
        // One stream per slot for its whole life, so media elements are not reloaded.
        let stream = this.streams.get(t);
        if (!stream) {
          stream = new MediaStream([t.receiver.track]);
          this.streams.set(t, stream);
        }
        return stream;
      });
  }

  /** Mutes every attendee (presenters only; the server checks). */
  muteEveryone(): void {
    this.send({ type: 'mute_everyone' });
  }

  private publish(): void {
    if (!this.local || !this.pc) return;
    const slots = (kind: 'audio' | 'video'): Slot[] =>
      this.receivers(kind).map((stream, i) => ({ participant: this.slots[kind][i] ?? undefined, stream }));
    this.store.set({
      phase: 'on',
      local: this.local,
      micOn: this.micOn,
      camOn: this.camOn,
      audio: slots('audio'),
      video: slots('video'),
      videoError: this.videoError,
      unmuteAsked: this.unmuteAsked,
      undecodable: this.undecodable,
    });
  }

  /** Mutes or unmutes the microphone; the server stops or resumes forwarding it. */
  setMic(on: boolean): void {
    this.unmuteAsked = undefined;
    this.switchLocal('audio', on);
    this.sendSwitches();
  }

  setCamera(on: boolean): void {
    this.switchLocal('video', on);
    this.sendSwitches();
  }

  /** Declines a presenter's request to unmute. */
  dismissUnmute(): void {
    this.unmuteAsked = undefined;
    this.publish();
  }

  /**
   * Switches to another microphone or camera (`''`: the default one), or adds one where
   * there was none, without renegotiating when possible.
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (!this.local) return;
    const choice = deviceId || true;
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === 'audio' ? { audio: constraint(choice) } : { video: constraint(choice, cameraSize) },
    );
    const [track] = stream.getTracks();
    if (!track) return;
    const old = this.local.getTracks().find((t) => t.kind === kind);
    // A device added where there was none starts on; a replacement keeps the switch.
    if (!old && kind === 'audio') this.micOn = true;
    if (!old && kind === 'video') this.camOn = true;
    track.enabled = kind === 'audio' ? this.micOn : this.camOn;
    const sender = this.sender(kind);
    if (old) {
      this.local.removeTrack(old);
      old.stop();
    }
    this.local.addTrack(track);
    // A new kind of track needs a new offer; the same kind just replaces the old one.
    if (sender) await sender.replaceTrack(track);
    else await this.negotiate();
    this.sendSwitches();
    this.publish();
  }

  stop(): void {
    this.pc?.close();
    this.pc = undefined;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = undefined;
    this.sentLayout = '';
    this.store.set({ phase: 'off', preview: undefined });
  }

  dispose(): void {
    const state = this.store.get();
    if (state.phase === 'off') for (const t of state.preview?.getTracks() ?? []) t.stop();
    this.stop();
    this.unsubscribe();
    this.unwatch();
  }
}
