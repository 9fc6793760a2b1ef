// Tests of the schedule form model: defaults, validation and conversion to the wire type.
import { describe, expect, it } from 'vitest';
import { fieldFromWire, newMeetingValues, toMeetingInput, validateMeeting } from './meetingForm';

describe('meeting form', () => {
  it('starts at the next half hour for one hour, with lobby, guests and waiting on', () => {
    const v = newMeetingValues(new Date(2026, 2, 3, 9, 10));
    expect(v.start).toBe('2026-03-03T09:30');
    expect(v.end).toBe('2026-03-03T10:30');
    expect([v.lobby, v.allowGuests, v.waitForPresenter]).toEqual([true, true, true]);
    expect(v.timeZone).not.toBe('');
  });

  it('requires a title and an end after the start', () => {
    const v = { ...newMeetingValues(), title: ' ', start: '2026-03-03T10:00', end: '2026-03-03T10:00' };
    const errors = validateMeeting(v);
    expect(errors.title).toBeDefined();
    expect(errors.end).toMatch(/after/);
  });

  it('rejects presenters that are not e-mail addresses', () => {
    const v = { ...newMeetingValues(), title: 'x', presenters: ['ok@example.com', 'nope'] };
    expect(validateMeeting(v).presenters).toMatch(/nope/);
  });

  it('sends trimmed text and snake_case fields', () => {
    const v = { ...newMeetingValues(), title: '  Sync ', passcode: ' 1234 ', timeZone: 'Europe/Berlin' };
    const input = toMeetingInput(v);
    expect(input.title).toBe('Sync');
    expect(input.passcode).toBe('1234');
    expect(input.time_zone).toBe('Europe/Berlin');
    expect(input.wait_for_presenter).toBe(true);
  });

  it('maps server field names to form fields', () => {
    expect(fieldFromWire('time_zone')).toBe('timeZone');
    expect(fieldFromWire('title')).toBe('title');
    expect(fieldFromWire('unknown')).toBeUndefined();
  });
});
