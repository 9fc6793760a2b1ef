// Non-blocking notifications (room errors, "link copied", failed actions).
// A module-level store; the <Toasts> component renders it in an aria-live region.
import { Store } from './store';

export type ToastKind = 'info' | 'success' | 'error';
export type Toast = { id: number; kind: ToastKind; text: string };

export const toastStore = new Store<readonly Toast[]>([]);

let nextId = 1;
const lifetimeMs: Record<ToastKind, number> = { info: 5000, success: 3500, error: 8000 };

export function showToast(text: string, kind: ToastKind = 'info'): number {
  const id = nextId++;
  // Keep the stack short: a burst of errors must not bury the page.
  toastStore.update((list) => [...list.slice(-3), { id, kind, text }]);
  setTimeout(() => {
    dismissToast(id);
  }, lifetimeMs[kind]);
  return id;
}

export function dismissToast(id: number): void {
  toastStore.update((list) => (list.some((t) => t.id === id) ? list.filter((t) => t.id !== id) : list));
}
