// Effective rights: policy ∩ attendee permission ∩ role, asked by every component.
import { describe, expect, it } from 'vitest';
import { chatBlock, rightsOf } from './rights';
import { fromSnapshot, type RoomState } from './roomState';
import { allowAll, person, snapshot } from './testFixtures';

const ada = person('p-ada', 'Ada', 'organizer');
const pia = person('p-pia', 'Pia', 'presenter');
const bob = person('p-bob', 'Bob', 'attendee');

function roomOf(you = bob, extra: Partial<RoomState> = {}): RoomState {
  return {
    ...fromSnapshot(
      'e',
      1,
      snapshot(
        you,
        [ada, pia, bob].filter((p) => p.id !== you.id),
      ),
    ),
    ...extra,
  };
}
const none = Object.fromEntries(Object.keys(allowAll).map((k) => [k, false])) as typeof allowAll;
const noMedia = { ip_audio: false, ip_video: false, max_video_height: 720, max_video_bitrate_kbps: 2500 };

describe('rightsOf', () => {
  it('gives attendees what the presenters allow', () => {
    const r = rightsOf(roomOf(bob, { permissions: { ...none, annotate: true, use_microphone: true } }));
    expect(r).toMatchObject({ presenter: false, annotate: true, microphone: true, camera: false, chat: false });
    expect(r.browse || r.exportContent || r.seeAttendees || r.shareContent || r.drivesStage).toBe(false);
  });

  it('gives presenters everything their permissions would withhold from attendees', () => {
    const r = rightsOf(roomOf(pia, { permissions: none }));
    expect(r).toMatchObject({ presenter: true, chat: true, annotate: true, browse: true, camera: true });
    expect(r.exportContent && r.seeAttendees && r.shareContent && r.microphone).toBe(true);
  });

  it('lets the policy cap presenters too: no audio or video, no chat', () => {
    const r = rightsOf(roomOf(ada, { mediaLimits: noMedia, chatEnabled: false }));
    expect(r).toMatchObject({ microphone: false, camera: false, chat: false, annotate: true });
  });

  it('lets only the presenter on stage drive it, or any presenter while nobody presents', () => {
    expect(rightsOf(roomOf(pia)).drivesStage).toBe(true);
    expect(rightsOf(roomOf(pia, { presenter: 'p-ada' })).drivesStage).toBe(false);
    expect(rightsOf(roomOf(ada, { presenter: 'p-ada' })).drivesStage).toBe(true);
    expect(rightsOf(roomOf(bob)).drivesStage).toBe(false);
  });

  it('follows a role change at once', () => {
    const room = roomOf(bob, { permissions: none });
    expect(rightsOf(room).annotate).toBe(false);
    expect(rightsOf({ ...room, you: { ...bob, role: 'presenter' } }).annotate).toBe(true);
  });
});

describe('chatBlock', () => {
  it('names the policy before the permission', () => {
    expect(chatBlock(roomOf(bob, { chatEnabled: false, permissions: none }))).toBe('policy');
    expect(chatBlock(roomOf(bob, { permissions: none }))).toBe('permission');
    expect(chatBlock(roomOf(pia, { permissions: none }))).toBeUndefined();
  });
});
