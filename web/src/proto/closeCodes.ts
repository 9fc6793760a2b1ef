// Generated from crates/proto (room.rs, shared_doc.rs) by `cargo test -p confab-proto`. Do not edit.
import type { ByeReason } from './ByeReason';
import type { CollabClose } from './CollabClose';

/** The close code the server uses with each bye reason. */
export const BYE_CLOSE_CODES: Readonly<Record<number, ByeReason>> = {
  4001: 'invalid_token',
  4002: 'hello_expected',
  4003: 'removed',
  4004: 'barred',
  4005: 'denied',
  4006: 'meeting_full',
  4007: 'meeting_locked',
  4008: 'meeting_ended',
  4009: 'meeting_cancelled',
  4010: 'left',
  4011: 'replaced',
  4012: 'too_slow',
  1009: 'frame_too_large',
  1012: 'server_shutdown',
};

/** Reasons after which a client reconnects and resumes. */
export const RESUMABLE_BYES: ReadonlySet<ByeReason> = new Set<ByeReason>(['too_slow', 'server_shutdown']);

/** The close code of each reason the server closes a shared-document socket. */
export const COLLAB_CLOSE_CODES: Readonly<Record<CollabClose, number>> = {
  malformed: 4400,
  read_only: 4403,
  withdrawn: 4410,
  too_large: 4413,
  document_full: 4413,
  binary_only: 1003,
  try_again: 1013,
  server_shutdown: 1001,
};
