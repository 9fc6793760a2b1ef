// A round badge with someone's initials, tinted from their id so neighbours differ.

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

function tint(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 6;
}

export function Avatar({ id, name, dim }: { id: string; name: string; dim?: boolean }) {
  return (
    <span className={`avatar avatar-c${tint(id)}${dim ? ' avatar-dim' : ''}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
