/**
 * Auto-off as a Tapo plug runs it: with `get_auto_off_config` enabled, the
 * device counts `delay_min` down from the moment it is switched on (or from
 * the moment auto-off is enabled while it is on), reports the countdown in
 * its info (`auto_off_status` "on", `auto_off_remain_time` in seconds) and
 * switches itself off at 0. Evaluated lazily on the simulator clock, like
 * the shadow's pending changes: no timers. Only devices whose info carries
 * `auto_off_status` and whose capture has the config count down.
 */
import { isJson, tapoOn, type Json, type TapoThing } from './model.js';

/** When each thing's running countdown started (ms since epoch). */
const startedAt = new WeakMap<TapoThing, number>();

function config(thing: TapoThing): { enable: boolean; delayMin: number } | undefined {
  const answer = thing.recorded?.get_auto_off_config;
  if (!isJson(answer) || typeof answer.enable !== 'boolean' || typeof answer.delay_min !== 'number') return undefined;
  return { enable: answer.enable, delayMin: answer.delay_min };
}

const counts = (thing: TapoThing): boolean => 'auto_off_status' in thing.info && config(thing)?.enable === true;

/** The relay switched: a switch-on starts the countdown, a switch-off ends it. */
export function autoOffSwitched(thing: TapoThing, on: boolean, now: number): void {
  if (on && counts(thing)) startedAt.set(thing, now);
  else startedAt.delete(thing);
}

/** The config changed: enabled while on starts counting now (a running count keeps its start), disabled stops it. */
export function autoOffConfigured(thing: TapoThing, now: number): void {
  if (!counts(thing) || !tapoOn(thing)) startedAt.delete(thing);
  else if (!startedAt.has(thing)) startedAt.set(thing, now);
}

/** When the running countdown ends (ms since epoch), if one runs. */
export function autoOffDeadline(thing: TapoThing): number | undefined {
  const start = startedAt.get(thing);
  const delay = config(thing)?.delayMin;
  return start === undefined || delay === undefined ? undefined : start + delay * 60_000;
}

/** The countdown as the device's info shows it now; {} for devices that do not report one. */
export function autoOffInfo(thing: TapoThing, now: number): Json {
  if (!('auto_off_status' in thing.info)) return {};
  const deadline = autoOffDeadline(thing);
  if (deadline === undefined || now >= deadline) return { auto_off_status: 'off', auto_off_remain_time: 0 };
  return { auto_off_status: 'on', auto_off_remain_time: Math.ceil((deadline - now) / 1000) };
}
