// Pure decisions of the media client: which simulcast encodings to publish under the
// organisation's limits, and which tiles (with their heights) to report as the layout.
// No browser APIs here, so the rules are unit-tested.
import type { MediaLimits } from '../proto/MediaLimits';
import type { MediaTile } from '../proto/MediaTile';
import type { ParticipantId } from '../proto/ParticipantId';
import type { SimulcastLayer } from '../proto/SimulcastLayer';
import { CAPTURE_HEIGHT, MAX_LAYOUT_TILES, SIMULCAST } from '../proto/contracts';

/** The camera is captured at this height; the layers are a quarter, half and all of it. */
export const captureHeight = CAPTURE_HEIGHT;

export type Encoding = { rid: SimulcastLayer; scaleResolutionDownBy: number; maxBitrate: number };

/**
 * The three simulcast encodings, smallest first. The bitrates are the server's nominal
 * figures (generated from crates/proto): it picks layers by them.
 */
export const simulcast: readonly Encoding[] = SIMULCAST;

/** The encodings worth sending under `limits` (the server would not forward the others). */
export function encodingsFor(limits: MediaLimits): Encoding[] {
  if (!limits.ip_video) return [];
  return simulcast.filter(
    (e) =>
      captureHeight / e.scaleResolutionDownBy <= limits.max_video_height &&
      e.maxBitrate <= limits.max_video_bitrate_kbps * 1000,
  );
}

/** Most tiles one layout may list (the server refuses more). */
export const maxLayoutTiles = MAX_LAYOUT_TILES;

export type View = 'grid' | 'speaker';

/** Tile heights in device pixels, as measured on screen. */
export type TileSizes = { grid: number; main: number; thumb: number };

/**
 * The layout to report: in the grid everyone else at the grid's tile height, pinned first;
 * in the speaker view the pinned participant (or whoever speaks) big, the others as
 * thumbnails. The server forwards the first ones that fit the video slots.
 */
export function layoutTiles(
  view: View,
  others: readonly ParticipantId[],
  pinned: ParticipantId | undefined,
  sizes: TileSizes,
): MediaTile[] {
  const rest = others.filter((p) => p !== pinned);
  let tiles: MediaTile[];
  if (view === 'grid') {
    const order = pinned && others.includes(pinned) ? [pinned, ...rest] : rest;
    tiles = order.map((participant) => ({ kind: 'participant', participant, height: sizes.grid }));
  } else {
    const main: MediaTile =
      pinned && others.includes(pinned)
        ? { kind: 'participant', participant: pinned, height: sizes.main }
        : { kind: 'speaker', height: sizes.main };
    tiles = [
      main,
      ...rest.map((participant): MediaTile => ({ kind: 'participant', participant, height: sizes.thumb })),
    ];
  }
  return tiles.slice(0, maxLayoutTiles);
}
