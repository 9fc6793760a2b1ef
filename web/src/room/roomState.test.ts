// Tests of the room reducer: snapshots, ordered events, dedupe and chat visibility.
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  audienceOf,
  canSeeMessage,
  chatBlockedReason,
  chatLength,
  fromSnapshot,
  rosterGroups,
} from './roomState';
import { allowAll, message, person, snapshot } from './testFixtures';

const alice = person('p-alice', 'Alice', 'organizer');
const bob = person('p-bob', 'Bob', 'attendee');
const carol = person('p-carol', 'Carol', 'attendee');

describe('fromSnapshot', () => {
  it('replaces everything with the snapshot and remembers epoch and seq', () => {
    const s = fromSnapshot('e1', 42, snapshot(bob, [alice]));
    expect(s.seq).toBe(42);
    expect(s.epoch).toBe('e1');
    expect(s.you.id).toBe('p-bob');
    expect([...s.participants.keys()].sort()).toEqual(['p-alice', 'p-bob']);
  });

  it('includes you in the roster even when the snapshot list omits you', () => {
    const snap = { ...snapshot(bob, [alice]), participants: [alice] };
    expect(fromSnapshot('e1', 1, snap).participants.has('p-bob')).toBe(true);
  });

  it('drops chat history you could not read', () => {
    const snap = snapshot(bob, [alice, carol], {
      chat: [
        message(1, alice, { kind: 'everyone' }),
        message(2, alice, { kind: 'presenters' }),
        message(3, alice, { kind: 'participant', id: 'p-carol' }, 'psst', 'Carol'),
        message(4, alice, { kind: 'participant', id: 'p-bob' }, 'hi Bob', 'Bob'),
      ],
    });
    expect(fromSnapshot('e1', 1, snap).chat.map((m) => m.id)).toEqual([1, 4]);
  });
});

describe('applyEvent', () => {
  const start = () => fromSnapshot('e1', 10, snapshot(alice, [bob]));

  it('applies events in order and advances seq', () => {
    let s = start();
    s = applyEvent(s, 11, { type: 'participant_joined', participant: carol });
    s = applyEvent(s, 12, { type: 'lock_changed', locked: true });
    expect(s.seq).toBe(12);
    expect(s.locked).toBe(true);
    expect(s.participants.get('p-carol')?.name).toBe('Carol');
  });

  it('ignores events at or below the last seq (resume replays)', () => {
    let s = start();
    s = applyEvent(s, 11, { type: 'chat', message: message(1, bob, { kind: 'everyone' }) });
    const before = s;
    expect(applyEvent(s, 11, { type: 'chat', message: message(1, bob, { kind: 'everyone' }) })).toBe(before);
    expect(applyEvent(s, 5, { type: 'lock_changed', locked: true })).toBe(before);
    expect(s.chat).toHaveLength(1);
  });

  it('does not repeat a chat message delivered twice under different seqs', () => {
    let s = start();
    s = applyEvent(s, 11, { type: 'chat', message: message(7, bob, { kind: 'everyone' }) });
    s = applyEvent(s, 12, { type: 'chat', message: message(7, bob, { kind: 'everyone' }) });
    expect(s.chat.map((m) => m.id)).toEqual([7]);
    expect(s.seq).toBe(12);
  });

  it('updates and removes participants', () => {
    let s = start();
    s = applyEvent(s, 11, { type: 'participant_updated', participant: { ...bob, hand_raised: true } });
    expect(s.participants.get('p-bob')?.hand_raised).toBe(true);
    s = applyEvent(s, 12, { type: 'participant_left', id: 'p-bob', reason: 'left' });
    expect(s.participants.has('p-bob')).toBe(false);
  });

  it('keeps you in the roster when a roster event replaces it', () => {
    let s = start();
    s = applyEvent(s, 11, { type: 'roster', participants: [carol] });
    expect([...s.participants.keys()].sort()).toEqual(['p-alice', 'p-carol']);
  });

  it('tracks your own updates and role changes', () => {
    let s = fromSnapshot('e1', 1, snapshot(bob, [alice]));
    s = applyEvent(s, 2, { type: 'participant_updated', participant: { ...bob, away: true } });
    expect(s.you.away).toBe(true);
    s = applyEvent(s, 3, { type: 'role_changed', role: 'presenter' });
    expect(s.you.role).toBe('presenter');
    expect(s.participants.get('p-bob')?.role).toBe('presenter');
    expect(s.you.away).toBe(true);
  });

  it('clears the lobby when you stop being a presenter', () => {
    let s = start();
    s = applyEvent(s, 11, {
      type: 'lobby',
      lobby: [{ id: 'x', name: 'Xavier', guest: true, since: '2026-03-01T10:00:00Z' }],
    });
    expect(s.lobby).toHaveLength(1);
    s = applyEvent(s, 12, { type: 'role_changed', role: 'attendee' });
    expect(s.lobby).toHaveLength(0);
  });

  it('reports who newly arrived in the lobby', () => {
    let s = start();
    const x = { id: 'x', name: 'Xavier', guest: true, since: '2026-03-01T10:00:00Z' };
    const y = { id: 'y', name: 'Yvonne', guest: false, since: '2026-03-01T10:01:00Z' };
    s = applyEvent(s, 11, { type: 'lobby', lobby: [x] });
    expect(s.lobbyArrivals).toEqual({ seq: 11, names: ['Xavier'] });
    s = applyEvent(s, 12, { type: 'lobby', lobby: [x, y] });
    expect(s.lobbyArrivals).toEqual({ seq: 12, names: ['Yvonne'] });
    s = applyEvent(s, 13, { type: 'lobby', lobby: [y] });
    expect(s.lobbyArrivals.seq).toBe(12);
  });

  it('marks the meeting ended', () => {
    expect(applyEvent(start(), 11, { type: 'meeting_ended' }).ended).toBe(true);
  });

  it('changes permissions', () => {
    const s = applyEvent(start(), 11, { type: 'permissions_changed', permissions: { ...allowAll, chat: false } });
    expect(s.permissions.chat).toBe(false);
  });
});

describe('chat visibility', () => {
  it('shows everyone-messages to all, presenter-messages to presenters and their sender', () => {
    const toAll = message(1, bob, { kind: 'everyone' });
    const toPresenters = message(2, bob, { kind: 'presenters' });
    expect(canSeeMessage(toAll, carol)).toBe(true);
    expect(canSeeMessage(toPresenters, alice)).toBe(true);
    expect(canSeeMessage(toPresenters, bob)).toBe(true);
    expect(canSeeMessage(toPresenters, carol)).toBe(false);
  });

  it('shows a private message to its sender and recipient only', () => {
    const m = message(3, bob, { kind: 'participant', id: 'p-carol' }, 'hi', 'Carol');
    expect(canSeeMessage(m, bob)).toBe(true);
    expect(canSeeMessage(m, carol)).toBe(true);
    expect(canSeeMessage(m, alice)).toBe(false);
  });

  it('does not apply a private message for someone else', () => {
    let s = fromSnapshot('e1', 1, snapshot(alice, [bob, carol]));
    s = applyEvent(s, 2, { type: 'chat', message: message(1, bob, { kind: 'participant', id: 'p-carol' }) });
    expect(s.chat).toHaveLength(0);
    expect(s.seq).toBe(2);
  });

  it('labels private messages from the reader’s side', () => {
    const m = message(3, bob, { kind: 'participant', id: 'p-carol' }, 'hi', 'Carol');
    expect(audienceOf(m, 'p-bob')).toEqual({ kind: 'private_to', name: 'Carol' });
    expect(audienceOf(m, 'p-carol')).toEqual({ kind: 'private_from', name: 'Bob' });
    expect(audienceOf(message(4, bob, { kind: 'presenters' }), 'p-alice')).toEqual({ kind: 'presenters' });
  });

  it('explains why chat is blocked', () => {
    const asAttendee = fromSnapshot('e1', 1, snapshot(bob, [], { permissions: { ...allowAll, chat: false } }));
    expect(chatBlockedReason(asAttendee)).toMatch(/presenters have turned off chat/);
    const asPresenter = fromSnapshot('e1', 1, snapshot(alice, [], { permissions: { ...allowAll, chat: false } }));
    expect(chatBlockedReason(asPresenter)).toBeUndefined();
    const byPolicy = fromSnapshot('e1', 1, snapshot(alice, [], { chat_enabled: false }));
    expect(chatBlockedReason(byPolicy)).toMatch(/organisation/);
  });
});

describe('rosterGroups', () => {
  it('puts the organizer first, then presenters, each group by name', () => {
    const zed = person('p-zed', 'Zed', 'presenter');
    const amy = person('p-amy', 'Amy', 'presenter');
    const s = fromSnapshot('e1', 1, snapshot(bob, [zed, alice, amy, carol]));
    const g = rosterGroups(s.participants);
    expect(g.presenters.map((p) => p.name)).toEqual(['Alice', 'Amy', 'Zed']);
    expect(g.attendees.map((p) => p.name)).toEqual(['Bob', 'Carol']);
  });
});

describe('chatLength', () => {
  it('counts an emoji outside the BMP as one character, as the server does', () => {
    expect(chatLength('hi 👋')).toBe(4);
    expect('hi 👋'.length).toBe(5);
  });
});

describe('documents and the stage', () => {
  const doc = (id: string, state: 'converting' | 'ready', pages: number) => ({
    id,
    name: `${id}.pdf`,
    kind: 'upload' as const,
    status: { state } as const,
    pages: Array.from({ length: pages }, (_, index) => ({
      index,
      width: 1920,
      height: 1080,
      collab: `page:${id}:${index}`,
    })),
  });

  it('adds documents, updates them in place as pages arrive, and removes them', () => {
    let s = fromSnapshot('e1', 1, snapshot(alice));
    s = applyEvent(s, 2, { type: 'document', document: doc('d1', 'converting', 1) });
    s = applyEvent(s, 3, { type: 'document', document: doc('d2', 'ready', 2) });
    s = applyEvent(s, 4, { type: 'document', document: doc('d1', 'ready', 3) });
    expect(s.documents.map((d) => [d.id, d.pages.length])).toEqual([
      ['d1', 3],
      ['d2', 2],
    ]);
    s = applyEvent(s, 5, { type: 'document_removed', id: 'd1' });
    expect(s.documents.map((d) => d.id)).toEqual(['d2']);
  });

  it('follows the stage, including when it is cleared', () => {
    let s = fromSnapshot('e1', 1, snapshot(bob, [], { stage: { document: 'd2', page: 1 } }));
    expect(s.stage).toEqual({ document: 'd2', page: 1 });
    s = applyEvent(s, 2, { type: 'stage_changed', stage: { document: 'd2', page: 2 } });
    expect(s.stage?.page).toBe(2);
    s = applyEvent(s, 3, { type: 'stage_changed' });
    expect(s.stage).toBeUndefined();
  });

  it('knows who presents, from the snapshot and as it changes hands', () => {
    let s = fromSnapshot('e1', 1, { ...snapshot(alice), presenter: alice.id });
    expect(s.presenter).toBe(alice.id);
    s = applyEvent(s, 2, { type: 'presenter_changed', presenter: 'p2' });
    expect(s.presenter).toBe('p2');
    s = applyEvent(s, 3, { type: 'presenter_changed' });
    expect(s.presenter).toBeUndefined();
  });
});
