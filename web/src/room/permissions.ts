// Human labels for the ten attendee permissions, in the order the dialog shows them.
// `later`: the feature it governs has not shipped, so the dialog does not offer it (the
// server keeps and enforces the value regardless).
import type { AttendeePermissions } from '../proto/AttendeePermissions';

export const permissionLabels: readonly {
  key: keyof AttendeePermissions;
  label: string;
  hint: string;
  later?: boolean;
}[] = [
  { key: 'chat', label: 'Chat', hint: 'Send chat messages' },
  { key: 'see_attendee_list', label: 'See attendee list', hint: 'See other attendees in the roster' },
  { key: 'ask_questions', label: 'Ask questions', hint: 'Ask questions in Q&A', later: true },
  { key: 'annotate', label: 'Annotate', hint: 'Draw on shared pages' },
  { key: 'browse_independently', label: 'Browse independently', hint: 'Page through content on their own' },
  { key: 'upload_handouts', label: 'Upload handouts', hint: 'Share files as handouts', later: true },
  { key: 'edit_notes', label: 'Edit shared notes', hint: 'Edit the shared notes', later: true },
  { key: 'export_content', label: 'Export content', hint: 'Export or print content and chat' },
  { key: 'use_camera', label: 'Use camera', hint: 'Publish their camera' },
  { key: 'use_microphone', label: 'Use microphone', hint: 'Publish their microphone' },
];

/** The permissions whose features exist today. */
export const offeredPermissions = permissionLabels.filter((p) => !p.later);
