// Snapshots: one still frame of a screen or window the presenter picks, as a PNG file
// ready to upload (it then becomes a page like any document). No React here.

/** Whether this browser can capture a screen at all. */
export function canCaptureScreen(): boolean {
  // mediaDevices is missing outside secure contexts, whatever the types say.
  return 'mediaDevices' in navigator && typeof navigator.mediaDevices.getDisplayMedia === 'function';
}

/** Asks the browser for a screen or window, grabs one frame, and stops capturing at once. */
export async function captureScreenFrame(now: Date = new Date()): Promise<File> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  try {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    // The first frame may not be painted yet when play() resolves.
    await new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw the snapshot.');
    context.drawImage(video, 0, 0);
    video.srcObject = null;
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The snapshot could not be encoded.');
    const time = now.toTimeString().slice(0, 5).replace(':', '.');
    return new File([blob], `Snapshot ${time}.png`, { type: 'image/png' });
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
