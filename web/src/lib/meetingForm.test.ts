// Tests of the schedule form model (defaults, validation, the wire type) and its time-zone choices.
import { describe, expect, it } from 'vitest';
import { fieldFromWire, newMeetingValues, toMeetingInput, validateMeeting } from './meetingForm';
import { formatOffset, zoneChoices, zoneOffsetMinutes } from './format';

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

describe('time-zone choices', () => {
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');

  it('knows each zone offset at the date, daylight saving included', () => {
    expect(zoneOffsetMinutes('Europe/Berlin', winter)).toBe(60);
    expect(zoneOffsetMinutes('Europe/Berlin', summer)).toBe(120);
    expect(zoneOffsetMinutes('Asia/Kolkata', winter)).toBe(330);
    expect(zoneOffsetMinutes('America/Los_Angeles', winter)).toBe(-480);
    expect(zoneOffsetMinutes('UTC', winter)).toBe(0);
  });

  it('labels zones with their offset and sorts them west to east', () => {
    const choices = zoneChoices('UTC', winter);
    const berlin = choices.find((c) => c.zone === 'Europe/Berlin');
    expect(berlin?.label).toBe('UTC+01:00 · Europe/Berlin');
    expect(choices.find((c) => c.zone === 'America/New_York')?.label).toBe('UTC−05:00 · America/New York');
    const offsets = choices.map((c) => c.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(formatOffset(0)).toBe('UTC');
  });
});
