// Generated from crates/proto/src/room.rs by `cargo test -p confab-proto`. Do not edit.
import type { ByeReason } from './ByeReason';

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
