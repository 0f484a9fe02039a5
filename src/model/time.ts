/**
 * Instants as Home Assistant's timestamp sensors take them: ISO 8601 to
 * the second, with the offset spelled out.
 */

/** 1764646301000 -> "2025-12-02T03:31:41+00:00"; with `offsetMin` the local time at that offset. */
export function isoInstant(ms: number, offsetMin = 0): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offsetMin));
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * When a node was switched on: the read's time less the seconds it reports
 * on (0 while on: just now); null while it is off or when the figure is no
 * duration (a negative on_time, seen on HS300 firmware). undefined: not reported.
 */
export function onSince(readAt: number, onTimeS: number | undefined, on: boolean | undefined): string | null | undefined {
  if (onTimeS === undefined) return undefined;
  if (on === false || onTimeS < 0 || (onTimeS === 0 && on !== true)) return null;
  return isoInstant(readAt - onTimeS * 1000);
}

/** Two reads of one instant differ by their latency: within this they are the same. */
export const SAME_INSTANT_MS = 5_000;

/** Whether two published instants are the same one read twice. */
export function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  return Number.isFinite(ta) && Number.isFinite(tb) && Math.abs(ta - tb) <= SAME_INSTANT_MS;
}
