// Date and time formatting for meetings: shown in the meeting's own time zone,
// with the viewer's local time added when it differs.

const userZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function browserTimeZone(): string {
  return userZone();
}

/** All IANA zones the browser knows, with `current` guaranteed to be in the list. */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return zones;
}

/** A zone's offset from UTC at `at`, in minutes (east positive); 0 for an unknown zone. */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d\d):(\d\d)/.exec(name ?? '');
    if (!m) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    return m[1] === '-' ? -minutes : minutes;
  } catch {
    return 0;
  }
}

/** "UTC+05:30", "UTC−08:00" or "UTC". */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${minutes < 0 ? '−' : '+'}${hh}:${mm}`;
}

export type ZoneChoice = { zone: string; offset: number; label: string };

/** Every zone with its offset at `at`, west to east, for a searchable picker. */
export function zoneChoices(current: string, at: Date): ZoneChoice[] {
  return timeZones(current)
    .map((zone) => {
      const offset = zoneOffsetMinutes(zone, at);
      return { zone, offset, label: `${formatOffset(offset)} · ${zone.replace(/_/g, ' ')}` };
    })
    .sort((a, b) => a.offset - b.offset || a.zone.localeCompare(b.zone));
}

function safeZone(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** "Tue 3 Mar 2026" style date in `zone`. */
export function formatDate(iso: string, zone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: zone ? safeZone(zone) : undefined,
  }).format(new Date(iso));
}

/** "14:00" style time in `zone`. */
export function formatTime(iso: string, zone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone ? safeZone(zone) : undefined,
  }).format(new Date(iso));
}

/** "Tue 3 Mar 2026, 14:00" in `zone`. */
export function formatWhen(iso: string, zone?: string): string {
  return `${formatDate(iso, zone)}, ${formatTime(iso, zone)}`;
}

/** "Tue 3 Mar 2026, 14:00 – 15:00" in the meeting's zone (end date added if it differs). */
export function formatRange(startIso: string, endIso: string, zone: string): string {
  const startDate = formatDate(startIso, zone);
  const endDate = formatDate(endIso, zone);
  const start = `${startDate}, ${formatTime(startIso, zone)}`;
  const end = endDate === startDate ? formatTime(endIso, zone) : `${endDate}, ${formatTime(endIso, zone)}`;
  return `${start} – ${end}`;
}

/** Whether the viewer's zone shows a different wall-clock time for this instant. */
export function differsLocally(iso: string, zone: string): boolean {
  const local = userZone();
  if (local === zone) return false;
  return formatDate(iso, zone) + formatTime(iso, zone) !== formatDate(iso) + formatTime(iso);
}

/** Short time for chat messages ("14:03"), local zone. */
export function formatClock(iso: string): string {
  return formatTime(iso);
}

/** `YYYY-MM-DDTHH:MM` for a Date in the local zone (datetime-local inputs). */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Parse `YYYY-MM-DDTHH:MM` as a naive wall-clock (only used to compare two such values). */
export function wallClockMinutes(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi) / 60000;
}

/** Next half hour from now, and one hour after it, for a new meeting form. */
export function defaultSlot(now = new Date()): { start: string; end: string } {
  const start = new Date(now);
  start.setSeconds(0, 0);
  start.setMinutes(start.getMinutes() < 30 ? 30 : 60);
  const end = new Date(start.getTime() + 60 * 60 * 1000);
  return { start: toLocalInput(start), end: toLocalInput(end) };
}
