// Builders of wire values for unit tests (not shipped: only test files import this).
import type { AttendeePermissions } from '../proto/AttendeePermissions';
import type { ChatMessage } from '../proto/ChatMessage';
import type { ChatTo } from '../proto/ChatTo';
import type { MeetingRole } from '../proto/MeetingRole';
import type { Participant } from '../proto/Participant';
import type { Snapshot } from '../proto/Snapshot';

export const allowAll: AttendeePermissions = {
  chat: true,
  see_attendee_list: true,
  ask_questions: true,
  annotate: true,
  browse_independently: true,
  upload_handouts: true,
  edit_notes: true,
  export_content: true,
  use_camera: true,
  use_microphone: true,
};

export function person(
  id: string,
  name: string,
  role: MeetingRole = 'attendee',
  extra: Partial<Participant> = {},
): Participant {
  return {
    id,
    name,
    role,
    guest: false,
    hand_raised: false,
    away: false,
    connected: true,
    joined_at: '2026-03-01T10:00:00Z',
    microphone: true,
    camera: true,
    ...extra,
  };
}

export function message(
  id: number,
  from: Participant,
  to: ChatTo,
  text = `message ${id}`,
  toName?: string,
): ChatMessage {
  const m: ChatMessage = { id, from: from.id, from_name: from.name, to, text, sent_at: '2026-03-01T10:05:00Z' };
  if (toName !== undefined) m.to_name = toName;
  return m;
}

export function snapshot(you: Participant, others: Participant[] = [], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    meeting: 'm1',
    title: 'Weekly sync',
    you,
    participants: [you, ...others],
    lobby: [],
    permissions: allowAll,
    chat_enabled: true,
    locked: false,
    chat: [],
    max_chat_chars: 500,
    media_limits: { ip_audio: true, ip_video: true, max_video_height: 720, max_video_bitrate_kbps: 2500 },
    ice_servers: [],
    documents: [],
    ...extra,
  };
}
