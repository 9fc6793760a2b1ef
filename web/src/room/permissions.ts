// Human labels for the ten attendee permissions, in the order the dialog shows them.
import type { AttendeePermissions } from '../proto/AttendeePermissions';

export const permissionLabels: readonly { key: keyof AttendeePermissions; label: string; hint: string }[] = [
  { key: 'chat', label: 'Chat', hint: 'Send chat messages' },
  { key: 'see_attendee_list', label: 'See attendee list', hint: 'See other attendees in the roster' },
  { key: 'ask_questions', label: 'Ask questions', hint: 'Ask questions in Q&A' },
  { key: 'annotate', label: 'Annotate', hint: 'Draw on shared pages' },
  { key: 'browse_independently', label: 'Browse independently', hint: 'Page through content on their own' },
  { key: 'upload_handouts', label: 'Upload handouts', hint: 'Share files as handouts' },
  { key: 'edit_notes', label: 'Edit shared notes', hint: 'Edit the shared notes' },
  { key: 'export_content', label: 'Export content', hint: 'Export or print content and chat' },
  { key: 'use_camera', label: 'Use camera', hint: 'Publish their camera' },
  { key: 'use_microphone', label: 'Use microphone', hint: 'Publish their microphone' },
];
