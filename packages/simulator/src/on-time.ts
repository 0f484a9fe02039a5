/**
 * Time on, as devices count it: the seconds since the relay (or light)
 * was last switched on, growing with simulated time, 0 while off, from 0
 * again after a reboot. A fixture's captured on_time is where it stood
 * when the simulator started.
 */
const since = new WeakMap<object, number>();

/**
 * The seconds on at `now`; `captured` seeds the count the first time it is
 * asked; `rebootUntil`: back from a reboot then (its count restarts).
 */
export function onTimeAt(thing: object, on: boolean, captured: unknown, now: number, rebootUntil?: number): number {
  if (!on) {
    since.delete(thing);
    return 0;
  }
  let at = since.get(thing);
  if (at === undefined) {
    at = now - (typeof captured === 'number' && captured > 0 ? captured * 1000 : 0);
    since.set(thing, at);
  }
  if (rebootUntil !== undefined && at < rebootUntil && now >= rebootUntil) {
    at = rebootUntil;
    since.set(thing, at);
  }
  return Math.max(0, Math.floor((now - at) / 1000));
}

/** Switched: on counts from now, off from nothing. */
export function switched(thing: object, on: boolean, now: number): void {
  if (on) since.set(thing, now);
  else since.delete(thing);
}
