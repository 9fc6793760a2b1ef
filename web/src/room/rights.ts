// What this participant may do right now: the one place the client combines the
// organisation's policy (as the snapshot reports it), the attendee permissions the
// presenters set, and the participant's role. Components ask here instead of
// recombining the three; the server checks every action regardless, so this only
// decides what the page offers. Pure: no React, no browser APIs.
import type { RoomState } from './roomState';

export type Rights = {
  /** Organizer or presenter: moderates, shares content, admits from the lobby. */
  presenter: boolean;
  /** Shows pages to everyone: the presenter driving the stage, or any presenter while nobody does. */
  drivesStage: boolean;
  chat: boolean;
  /** Sees attendees in the roster (presenters are always listed). */
  seeAttendees: boolean;
  annotate: boolean;
  /** Turns pages on their own, away from what the stage shows. */
  browse: boolean;
  exportContent: boolean;
  microphone: boolean;
  camera: boolean;
  /** Uploads documents and snapshots, starts whiteboards and text pages. */
  shareContent: boolean;
};

/** Why chat is unavailable, when it is (the policy and the presenters say different things). */
export type ChatBlock = 'policy' | 'permission';

export function rightsOf(room: RoomState): Rights {
  const presenter = room.you.role === 'organizer' || room.you.role === 'presenter';
  const may = (attendeeMay: boolean) => presenter || attendeeMay;
  const p = room.permissions;
  return {
    presenter,
    drivesStage: presenter && (room.presenter === undefined || room.presenter === room.you.id),
    chat: room.chatEnabled && may(p.chat),
    seeAttendees: may(p.see_attendee_list),
    annotate: may(p.annotate),
    browse: may(p.browse_independently),
    exportContent: may(p.export_content),
    microphone: room.mediaLimits.ip_audio && may(p.use_microphone),
    camera: room.mediaLimits.ip_video && may(p.use_camera),
    shareContent: presenter,
  };
}

/** Why you cannot chat, or undefined when you can. */
export function chatBlock(room: RoomState): ChatBlock | undefined {
  if (!room.chatEnabled) return 'policy';
  return rightsOf(room).chat ? undefined : 'permission';
}
