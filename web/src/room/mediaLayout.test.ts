import { describe, expect, it } from 'vitest';
import { encodingsFor, layoutTiles, maxLayoutTiles } from './mediaLayout';

const open = { ip_audio: true, ip_video: true, max_video_height: 720, max_video_bitrate_kbps: 2500 };
const sizes = { grid: 360, main: 720, thumb: 90 };

describe('encodingsFor', () => {
  it('publishes all three layers when policy allows HD', () => {
    expect(encodingsFor(open).map((e) => e.rid)).toEqual(['l', 'm', 'h']);
  });

  it('leaves out layers above the height or bitrate cap, and all without IP video', () => {
    expect(encodingsFor({ ...open, max_video_height: 360 }).map((e) => e.rid)).toEqual(['l', 'm']);
    expect(encodingsFor({ ...open, max_video_bitrate_kbps: 200 }).map((e) => e.rid)).toEqual(['l']);
    expect(encodingsFor({ ...open, ip_video: false })).toEqual([]);
  });
});

describe('layoutTiles', () => {
  it('lists everyone at grid height with the pinned participant first', () => {
    expect(layoutTiles('grid', ['a', 'b', 'c'], 'c', sizes)).toEqual([
      { kind: 'participant', participant: 'c', height: 360 },
      { kind: 'participant', participant: 'a', height: 360 },
      { kind: 'participant', participant: 'b', height: 360 },
    ]);
  });

  it('shows the speaker big and the others as thumbnails in the speaker view', () => {
    expect(layoutTiles('speaker', ['a', 'b'], undefined, sizes)).toEqual([
      { kind: 'speaker', height: 720 },
      { kind: 'participant', participant: 'a', height: 90 },
      { kind: 'participant', participant: 'b', height: 90 },
    ]);
    expect(layoutTiles('speaker', ['a', 'b'], 'b', sizes)[0]).toEqual({
      kind: 'participant',
      participant: 'b',
      height: 720,
    });
  });

  it('ignores a pinned participant who left and never lists more than the server takes', () => {
    expect(layoutTiles('grid', ['a'], 'gone', sizes)).toHaveLength(1);
    const many = Array.from({ length: 40 }, (_, i) => `p${i}`);
    expect(layoutTiles('grid', many, undefined, sizes)).toHaveLength(maxLayoutTiles);
  });
});
