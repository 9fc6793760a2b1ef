// The schedule/edit form's model: defaults, conversion from and to the wire type,
// and client-side validation (the server validates again; its problems are shown too).
import type { MeetingInput } from '../proto/MeetingInput';
import type { MeetingView } from '../proto/MeetingView';
import { browserTimeZone, defaultSlot, wallClockMinutes } from './format';

export type MeetingFormValues = {
  title: string;
  description: string;
  start: string;
  end: string;
  timeZone: string;
  passcode: string;
  lobby: boolean;
  allowGuests: boolean;
  waitForPresenter: boolean;
  presenters: string[];
};

export type FieldName = keyof MeetingFormValues;
export type FieldErrors = Partial<Record<FieldName, string>>;

export function newMeetingValues(now = new Date()): MeetingFormValues {
  const { start, end } = defaultSlot(now);
  return {
    title: '',
    description: '',
    start,
    end,
    timeZone: browserTimeZone(),
    passcode: '',
    lobby: true,
    allowGuests: true,
    waitForPresenter: true,
    presenters: [],
  };
}

export function valuesFromMeeting(m: MeetingView): MeetingFormValues {
  return {
    title: m.title,
    description: m.description,
    start: m.start.slice(0, 16),
    end: m.end.slice(0, 16),
    timeZone: m.time_zone,
    passcode: m.passcode ?? '',
    lobby: m.lobby,
    allowGuests: m.allow_guests,
    waitForPresenter: m.wait_for_presenter,
    presenters: [...m.presenters],
  };
}

export function toMeetingInput(v: MeetingFormValues): MeetingInput {
  return {
    title: v.title.trim(),
    description: v.description.trim(),
    start: v.start,
    end: v.end,
    time_zone: v.timeZone,
    passcode: v.passcode.trim(),
    lobby: v.lobby,
    allow_guests: v.allowGuests,
    wait_for_presenter: v.waitForPresenter,
    presenters: v.presenters,
  };
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateMeeting(v: MeetingFormValues): FieldErrors {
  const errors: FieldErrors = {};
  if (v.title.trim() === '') errors.title = 'Give the meeting a title.';
  const start = wallClockMinutes(v.start);
  const end = wallClockMinutes(v.end);
  if (start === undefined) errors.start = 'Choose a start date and time.';
  if (end === undefined) errors.end = 'Choose an end date and time.';
  else if (start !== undefined && end <= start) errors.end = 'The meeting must end after it starts.';
  if (v.timeZone === '') errors.timeZone = 'Choose a time zone.';
  const bad = v.presenters.filter((e) => !emailPattern.test(e));
  if (bad.length) errors.presenters = `Not an e-mail address: ${bad.join(', ')}`;
  return errors;
}

/** Map a server problem's `field` member (wire name) to the form's field. */
export function fieldFromWire(name: string | undefined): FieldName | undefined {
  switch (name) {
    case 'title':
    case 'description':
    case 'start':
    case 'end':
    case 'passcode':
    case 'lobby':
    case 'presenters':
      return name;
    case 'time_zone':
      return 'timeZone';
    case 'allow_guests':
      return 'allowGuests';
    case 'wait_for_presenter':
      return 'waitForPresenter';
    default:
      return undefined;
  }
}
