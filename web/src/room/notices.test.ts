// Notifications from room changes: hands for presenters, permission and role changes for you.
import { describe, expect, it } from 'vitest';
import { noticesBetween } from './notices';
import { applyEvent, fromSnapshot } from './roomState';
import { allowAll, person, snapshot } from './testFixtures';

const ada = person('p-ada', 'Ada', 'organizer');
const bob = person('p-bob', 'Bob');
const cy = person('p-cy', 'Cy');

describe('noticesBetween', () => {
  it('tells presenters, not attendees, that someone raised a hand, once', () => {
    const presenterView = fromSnapshot('e', 1, snapshot(ada, [bob, cy]));
    const raised = applyEvent(presenterView, 2, {
      type: 'participant_updated',
      participant: { ...bob, hand_raised: true },
    });
    expect(noticesBetween(presenterView, raised)).toEqual([{ kind: 'info', text: 'Bob raised their hand' }]);
    const again = applyEvent(raised, 3, {
      type: 'participant_updated',
      participant: { ...bob, hand_raised: true, away: true },
    });
    expect(noticesBetween(raised, again)).toEqual([]);

    const attendeeView = fromSnapshot('e', 1, snapshot(cy, [ada, bob]));
    const seen = applyEvent(attendeeView, 2, {
      type: 'participant_updated',
      participant: { ...bob, hand_raised: true },
    });
    expect(noticesBetween(attendeeView, seen)).toEqual([]);
  });

  it('does not announce your own hand', () => {
    const s = fromSnapshot('e', 1, snapshot(ada, [bob]));
    const next = applyEvent(s, 2, { type: 'participant_updated', participant: { ...ada, hand_raised: true } });
    expect(noticesBetween(s, next)).toEqual([]);
  });

  it('tells an attendee what the presenters allowed and took away', () => {
    const s = fromSnapshot('e', 1, snapshot(bob, [ada], { permissions: { ...allowAll, annotate: false } }));
    const next = applyEvent(s, 2, {
      type: 'permissions_changed',
      permissions: { ...allowAll, annotate: true, chat: false, use_camera: false },
    });
    expect(noticesBetween(s, next)).toEqual([
      { kind: 'success', text: 'The presenters allowed you to annotate.' },
      { kind: 'info', text: 'The presenters turned off: chat and use camera.' },
    ]);
  });

  it('tells you about a new role instead of permissions that no longer bind you', () => {
    const s = fromSnapshot('e', 1, snapshot(bob, [ada]));
    const next = applyEvent(s, 2, { type: 'role_changed', role: 'presenter' });
    expect(noticesBetween(s, next)).toEqual([{ kind: 'info', text: 'You are now a presenter.' }]);
  });

  it('says nothing across a different meeting or the same state', () => {
    const s = fromSnapshot('e', 1, snapshot(ada, [bob]));
    expect(noticesBetween(s, s)).toEqual([]);
    expect(noticesBetween(s, { ...s, meeting: 'm2', locked: true })).toEqual([]);
  });
});
