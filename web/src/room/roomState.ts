// The meeting as this participant sees it, and the pure reducer that keeps it current.
//
// Invariant: `seq` is the sequence number of the last event applied. An event whose
// seq is not greater is a duplicate (a resume may replay the boundary) and is ignored,
// so applying any prefix-overlapping stream of events gives the same state.
// No I/O here: the RoomClient feeds welcomes and events in, React reads the result.
import type { AttendeePermissions } from '../proto/AttendeePermissions';
import type { ChatMessage } from '../proto/ChatMessage';
import type { DocumentInfo } from '../proto/DocumentInfo';
import type { IceServer } from '../proto/IceServer';
import type { LobbyEntry } from '../proto/LobbyEntry';
import type { MediaLimits } from '../proto/MediaLimits';
import type { MediaRequest } from '../proto/MediaRequest';
import type { MeetingRole } from '../proto/MeetingRole';
import type { Participant } from '../proto/Participant';
import type { ParticipantId } from '../proto/ParticipantId';
import type { RoomEvent } from '../proto/RoomEvent';
import type { Snapshot } from '../proto/Snapshot';
import type { Stage } from '../proto/Stage';
import { chatBlock } from './rights';

/** How many chat messages the client keeps; older ones remain in the organizer's export. */
export const chatHistoryLimit = 1000;

export type RoomState = {
  meeting: string;
  title: string;
  /** Identifies the run of the meeting actor; a resume needs the same epoch. */
  epoch: string;
  /** Last applied sequence number. */
  seq: number;
  you: Participant;
  /** Everyone this participant may see, keyed by id; always includes `you`. */
  participants: ReadonlyMap<ParticipantId, Participant>;
  /** Who waits to be admitted (presenters only; empty otherwise). */
  lobby: readonly LobbyEntry[];
  /** Who the latest lobby change added (and at which seq), for announcing arrivals. */
  lobbyArrivals: { seq: number; names: readonly string[] };
  permissions: AttendeePermissions;
  chatEnabled: boolean;
  locked: boolean;
  chat: readonly ChatMessage[];
  maxChatChars: number;
  /** Shared documents you may see, in upload order. */
  documents: readonly DocumentInfo[];
  /** The page everyone is shown, if any. */
  stage: Stage | undefined;
  /** The presenter who drives the stage, if anyone. */
  presenter: ParticipantId | undefined;
  ended: boolean;
  /** What the organisation allows for audio and video. */
  mediaLimits: MediaLimits;
  /** TURN relays with time-limited credentials (empty: none configured). */
  iceServers: readonly IceServer[];
  /** Who has been talking (the speaker view shows them). */
  dominantSpeaker: ParticipantId | undefined;
  /** The latest presenter request about your media (and its seq, to react once). */
  mediaRequest: { seq: number; request: MediaRequest; by: ParticipantId } | undefined;
};

export function isPresenterRole(role: MeetingRole): boolean {
  return role === 'organizer' || role === 'presenter';
}

/** A fresh state from a welcome's snapshot: replaces everything known before. */
export function fromSnapshot(epoch: string, seq: number, snapshot: Snapshot): RoomState {
  const participants = new Map<ParticipantId, Participant>();
  for (const p of snapshot.participants) participants.set(p.id, p);
  participants.set(snapshot.you.id, snapshot.you);
  const you = snapshot.you;
  return {
    meeting: snapshot.meeting,
    title: snapshot.title,
    epoch,
    seq,
    you,
    participants,
    lobby: isPresenterRole(you.role) ? snapshot.lobby : [],
    lobbyArrivals: { seq, names: [] },
    permissions: snapshot.permissions,
    chatEnabled: snapshot.chat_enabled,
    locked: snapshot.locked,
    chat: dedupeChat(snapshot.chat.filter((m) => canSeeMessage(m, you))).slice(-chatHistoryLimit),
    maxChatChars: snapshot.max_chat_chars,
    documents: snapshot.documents,
    stage: snapshot.stage,
    presenter: snapshot.presenter,
    ended: false,
    mediaLimits: snapshot.media_limits,
    iceServers: snapshot.ice_servers,
    dominantSpeaker: snapshot.dominant_speaker,
    mediaRequest: undefined,
  };
}

function dedupeChat(messages: ChatMessage[]): ChatMessage[] {
  const seen = new Set<number>();
  return messages.filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
}

/**
 * Apply one sequenced event. Returns the same object when the event is a duplicate
 * (seq <= state.seq), so callers can skip re-rendering.
 */
export function applyEvent(state: RoomState, seq: number, event: RoomEvent): RoomState {
  if (seq <= state.seq) return state;
  const next = reduce(state, event, seq);
  return { ...next, seq };
}

function withParticipant(state: RoomState, p: Participant): RoomState {
  const participants = new Map(state.participants);
  participants.set(p.id, p);
  const isYou = p.id === state.you.id;
  const you = isYou ? p : state.you;
  return {
    ...state,
    participants,
    you,
    lobby: isYou && !isPresenterRole(p.role) ? [] : state.lobby,
  };
}

function reduce(state: RoomState, event: RoomEvent, seq: number): RoomState {
  switch (event.type) {
    case 'participant_joined':
    case 'participant_updated':
      return withParticipant(state, event.participant);
    case 'participant_left': {
      if (event.id === state.you.id || !state.participants.has(event.id)) return state;
      const participants = new Map(state.participants);
      participants.delete(event.id);
      return { ...state, participants };
    }
    case 'roster': {
      const participants = new Map<ParticipantId, Participant>();
      for (const p of event.participants) participants.set(p.id, p);
      const you = participants.get(state.you.id) ?? state.you;
      participants.set(you.id, you);
      return { ...state, participants, you };
    }
    case 'lobby': {
      if (!isPresenterRole(state.you.role)) return state;
      const before = new Set(state.lobby.map((e) => e.id));
      const names = event.lobby.filter((e) => !before.has(e.id)).map((e) => e.name);
      return { ...state, lobby: event.lobby, lobbyArrivals: names.length ? { seq, names } : state.lobbyArrivals };
    }
    case 'chat': {
      const m = event.message;
      const last = state.chat[state.chat.length - 1];
      if (last && m.id <= last.id) return state; // ids only grow: a replay
      if (!canSeeMessage(m, state.you)) return state;
      const chat = [...state.chat, m];
      return { ...state, chat: chat.length > chatHistoryLimit ? chat.slice(-chatHistoryLimit) : chat };
    }
    case 'permissions_changed':
      return { ...state, permissions: event.permissions };
    case 'lock_changed':
      return { ...state, locked: event.locked };
    case 'role_changed':
      return withParticipant(state, { ...state.you, role: event.role });
    case 'document': {
      const d = event.document;
      const i = state.documents.findIndex((x) => x.id === d.id);
      const documents = i < 0 ? [...state.documents, d] : state.documents.map((x, j) => (j === i ? d : x));
      return { ...state, documents };
    }
    case 'document_removed':
      return { ...state, documents: state.documents.filter((d) => d.id !== event.id) };
    case 'stage_changed':
      return { ...state, stage: event.stage };
    case 'presenter_changed':
      return { ...state, presenter: event.presenter };
    case 'meeting_ended':
      return { ...state, ended: true };
    case 'dominant_speaker':
      return { ...state, dominantSpeaker: event.participant };
    case 'media_request':
      return { ...state, mediaRequest: { seq, request: event.request, by: event.by } };
  }
}

/**
 * Whether `you` may read this message. The server only sends what you may read; this is
 * a second line of defence so a routing bug can never show a private message to the wrong
 * person.
 */
export function canSeeMessage(m: ChatMessage, you: Participant): boolean {
  if (m.from === you.id) return true;
  switch (m.to.kind) {
    case 'everyone':
      return true;
    case 'presenters':
      return isPresenterRole(you.role);
    case 'participant':
      return m.to.id === you.id;
  }
}

/** Who a message was for, from the reader's point of view. */
export type Audience =
  | { kind: 'everyone' }
  | { kind: 'presenters' }
  | { kind: 'private_to'; name: string }
  | { kind: 'private_from'; name: string };

export function audienceOf(m: ChatMessage, youId: ParticipantId): Audience {
  switch (m.to.kind) {
    case 'everyone':
      return { kind: 'everyone' };
    case 'presenters':
      return { kind: 'presenters' };
    case 'participant':
      return m.from === youId
        ? { kind: 'private_to', name: m.to_name ?? 'someone' }
        : { kind: 'private_from', name: m.from_name };
  }
}

/** Why you cannot chat right now, or undefined when you can. */
export function chatBlockedReason(state: RoomState): string | undefined {
  switch (chatBlock(state)) {
    case 'policy':
      return 'Chat is turned off by your organisation.';
    case 'permission':
      return 'The presenters have turned off chat for attendees.';
    case undefined:
      return undefined;
  }
}

/** Length as the server counts it (Rust `chars().count()`): code points, not UTF-16 units. */
export function chatLength(text: string): number {
  return Array.from(text).length;
}

export type RosterGroups = { presenters: Participant[]; attendees: Participant[] };

const roleRank: Record<MeetingRole, number> = { organizer: 0, presenter: 1, attendee: 2 };

/** The roster split by role, organizer first, then by name. */
export function rosterGroups(participants: ReadonlyMap<ParticipantId, Participant>): RosterGroups {
  const all = [...participants.values()].sort(
    (a, b) => roleRank[a.role] - roleRank[b.role] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
  return {
    presenters: all.filter((p) => isPresenterRole(p.role)),
    attendees: all.filter((p) => !isPresenterRole(p.role)),
  };
}
