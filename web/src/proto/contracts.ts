// Generated from crates/proto by `cargo test -p confab-proto`. Do not edit.
import type { SimulcastLayer } from './SimulcastLayer';

/** The root `Y.Array` of a page's strokes (its ink layer). */
export const INK_ROOT = 'ink';
/** The root `Y.XmlFragment` of a text page's rich text. */
export const TEXT_ROOT = 'text';

/** The camera is captured at this height; the layers scale it down. */
export const CAPTURE_HEIGHT = 720;

/** Most tiles one `media_layout` may list (the server refuses more). */
export const MAX_LAYOUT_TILES = 25;

/** The simulcast encodings, smallest first, with the bitrates the server picks
 * layers by. */
export const SIMULCAST: ReadonlyArray<{
  readonly rid: SimulcastLayer;
  readonly scaleResolutionDownBy: number;
  readonly maxBitrate: number;
}> = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1500000 },
];

/** Every problem `type` the API answers with (`urn:confab:problem:<slug>`). */
export const problemTypes = {
  unauthenticated: 'urn:confab:problem:unauthenticated',
  invalidCredentials: 'urn:confab:problem:invalid-credentials',
  forbidden: 'urn:confab:problem:forbidden',
  crossSite: 'urn:confab:problem:cross-site',
  notFound: 'urn:confab:problem:not-found',
  methodNotAllowed: 'urn:confab:problem:method-not-allowed',
  unknownLink: 'urn:confab:problem:unknown-link',
  linkExpired: 'urn:confab:problem:link-expired',
  meetingCancelled: 'urn:confab:problem:meeting-cancelled',
  meetingEnded: 'urn:confab:problem:meeting-ended',
  wrongPasscode: 'urn:confab:problem:wrong-passcode',
  signInRequired: 'urn:confab:problem:sign-in-required',
  invalidInput: 'urn:confab:problem:invalid-input',
  malformedRequest: 'urn:confab:problem:malformed-request',
  tooLarge: 'urn:confab:problem:too-large',
  conflict: 'urn:confab:problem:conflict',
  tooManyAttempts: 'urn:confab:problem:too-many-attempts',
  badDocument: 'urn:confab:problem:bad-document',
  meetingQuota: 'urn:confab:problem:meeting-quota',
  busy: 'urn:confab:problem:busy',
  regionUnavailable: 'urn:confab:problem:region-unavailable',
  internal: 'urn:confab:problem:internal',
} as const;
