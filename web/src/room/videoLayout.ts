// How big each video tile is: the grid that makes N tiles of 16:9 as large as the space
// allows, the speaker view (one large tile and a row of small ones), and the filmstrip
// beside content on the stage. Sizes here are also what the server is told (tile
// heights pick the simulcast layer), so they are computed, not left to CSS. Pure.

export type Box = { width: number; height: number };

/** Tiles are 16:9, like the camera capture. */
export const tileAspect = 16 / 9;
/** Space between tiles, in CSS pixels (room.css uses the same `--tile-gap`). */
export const tileGap = 8;

export type Grid = { columns: number; rows: number; tile: Box };

const none: Box = { width: 0, height: 0 };

/** The grid of `count` equal tiles that makes them largest within `area`. */
export function fitGrid(count: number, area: Box, gap = tileGap, aspect = tileAspect): Grid {
  if (count <= 0 || area.width <= 0 || area.height <= 0) return { columns: 0, rows: 0, tile: none };
  let best: Grid = { columns: 1, rows: count, tile: none };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (area.width - gap * (columns - 1)) / columns;
    const cellHeight = (area.height - gap * (rows - 1)) / rows;
    const width = Math.floor(Math.min(cellWidth, cellHeight * aspect));
    if (width > best.tile.width) best = { columns, rows, tile: { width, height: Math.floor(width / aspect) } };
  }
  return best;
}

/** Where tiles go: in the whole area when nothing is on stage, or a strip beside content. */
export type Place = 'area' | 'strip';

export type Arrangement = {
  /** The featured tile (speaker view): the pinned person or whoever speaks. */
  main: Box | undefined;
  /** Every other tile. */
  tile: Box;
  /** Columns of the other tiles (1 row in a strip). */
  columns: number;
};

/** Height of the thumbnail row under the speaker, as a share of the area, within bounds. */
function thumbRowHeight(area: Box): number {
  return Math.round(Math.min(140, Math.max(64, area.height * 0.18)));
}

/**
 * The tile sizes for `count` tiles (self view included) in `area`. With `featured`, one
 * of them is the large one (speaker view, or someone pinned).
 */
export function arrange(place: Place, area: Box, count: number, featured: boolean): Arrangement {
  if (count <= 0) return { main: undefined, tile: none, columns: 0 };
  if (place === 'strip') {
    // One row as tall as the strip; the featured tile keeps the full height, the others shrink.
    const full = { width: Math.floor(area.height * tileAspect), height: Math.floor(area.height) };
    if (!featured) return { main: undefined, tile: full, columns: count };
    const small = Math.floor(area.height * 0.6);
    return { main: full, tile: { width: Math.floor(small * tileAspect), height: small }, columns: count - 1 };
  }
  if (!featured || count === 1) {
    const grid = fitGrid(count, area);
    return featured
      ? { main: grid.tile, tile: none, columns: 0 }
      : { main: undefined, tile: grid.tile, columns: grid.columns };
  }
  const row = thumbRowHeight(area);
  const main = fitGrid(1, { width: area.width, height: area.height - row - tileGap }).tile;
  const thumb = { width: Math.floor(row * tileAspect), height: row };
  return { main, tile: thumb, columns: count - 1 };
}
