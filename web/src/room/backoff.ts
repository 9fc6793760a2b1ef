// Reconnect delays: 250 ms doubling to a 5 s cap, with "equal jitter" (half fixed, half
// random) so a server restart is not met by every client at the same instant.

export const backoffBaseMs = 250;
export const backoffCapMs = 5000;

/** Delay before reconnect attempt number `attempt` (0-based); `random` returns [0, 1]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.min(attempt, 16));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
