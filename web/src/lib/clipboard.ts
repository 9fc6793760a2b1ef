// Copying text (join links) to the clipboard, with a fallback for insecure origins.

export async function copyText(text: string): Promise<boolean> {
  try {
    // Undefined outside secure contexts, whatever the DOM typings say.
    const clipboard = (navigator as Partial<Navigator>).clipboard;
    if (clipboard) {
      await clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  // http:// origins (other than localhost) have no async clipboard API.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only way on insecure origins
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
