// The room's side panels: which exist, who may open them, and which are open. On a
// wide screen panels sit beside the stage, up to two stacked; on a phone one opens at a
// time as a sheet over the room. A later feature (Q&A, polls, notes, handouts) adds its
// id here with who may see it, and its content in the view's panel table. Pure.
import type { Rights } from './rights';

export type PanelId = 'people' | 'chat' | 'documents';

/** In the order the bar shows them; `available` hides a panel from those it is not for. */
export const panelOrder: readonly { id: PanelId; available: (rights: Rights) => boolean }[] = [
  { id: 'people', available: () => true },
  { id: 'chat', available: () => true },
  { id: 'documents', available: (r) => r.shareContent },
];

/** Most panels open at once beside the stage. */
export const maxOpenPanels = 2;

/** The open panels, oldest first. */
export type OpenPanels = readonly PanelId[];

export function initialPanels(compact: boolean): OpenPanels {
  return compact ? [] : ['people', 'chat'];
}

/** Opens or closes `id`; opening one more than fits closes the one opened longest ago. */
export function togglePanel(open: OpenPanels, id: PanelId, compact: boolean): OpenPanels {
  if (open.includes(id)) return open.filter((p) => p !== id);
  return [...open, id].slice(-(compact ? 1 : maxOpenPanels));
}

/** Opens `id` if it is not open (e.g. after an upload, to show its progress). */
export function showPanel(open: OpenPanels, id: PanelId, compact: boolean): OpenPanels {
  return open.includes(id) ? open : togglePanel(open, id, compact);
}

/** After a resize or a role change: fits the panels to the screen and to what you may see. */
export function fitPanels(open: OpenPanels, compact: boolean, rights: Rights): OpenPanels {
  const allowed = open.filter((id) => panelOrder.find((p) => p.id === id)?.available(rights));
  return allowed.slice(-(compact ? 1 : maxOpenPanels));
}
