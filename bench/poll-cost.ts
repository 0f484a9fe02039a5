/**
 * What one poll cycle costs: cloud requests by API against the least the
 * APIs allow, MQTT messages, CPU and wall time in the bridge process.
 */
import type { SimulatedDeviceSummary } from 'tplink-cloud-sim';
import type { BridgeChild } from './child.js';
import type { PublishCounts } from './ipc.js';
import type { BenchSimulator } from './sim.js';

export type CycleKind = 'state' | 'energy' | 'both' | 'settings';

export interface Minimums {
  kasaDevices: number;
  kasaMetered: number;
  kasaMeteredOutlets: number;
  tapoThings: number;
  tapoMetered: number;
  shadowBatchSize: number;
  /** Least requests per cycle kind. */
  requests: Record<CycleKind, number>;
}

export interface CycleCost {
  what: CycleKind;
  requests: number;
  byApi: Record<string, number>;
  minimum: number;
  wallMs: number;
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  published: PublishCounts;
}

/** Kasa strips that meter each outlet (one emeter read per outlet: no batched form exists). */
const KASA_METERED_STRIP = /^HS300/;
/** Kasa devices with a meter of their own, plugs and every KL bulb and light strip (their day and month statistics: one passthrough each). */
const KASA_METERED = /^(HS110|KP115|KP125|KL)/;
/** Tapo things with an energy meter (one services-sync each); P304M/P316M strips meter per socket. */
const TAPO_METERED = /^(P110|P115|KP125M)/;
const TAPO_METERED_SOCKETS_OF = /^(P304M|P316M)/;

/**
 * The least the cloud APIs allow, from the simulator's device list. State:
 * one passthrough per Kasa device (sysinfo, meter, light sensor together);
 * ceil(things / batch) shadow reads for Tapo (sockets of strips are things
 * with their own shadow). Energy: one passthrough per metered Kasa node
 * (a plug's day and month statistics with its clock; a metered outlet's
 * realtime and statistics, with context: no form answers several outlets)
 * and one services-sync multipleRequest per metered Tapo thing (energy
 * usage, current power, emeter data and device info in one request; a
 * socket is its own thing). Settings: one request per device (Kasa cloud
 * link; Tapo cloud link and clock in one services-sync), none per outlet.
 * Devices whose shadow lacks the device-info fields would add one each;
 * the simulated shadows carry them, as the fixtures' README says.
 */
export function minimums(devices: SimulatedDeviceSummary[], shadowBatchSize: number): Minimums {
  const online = devices.filter((device) => device.online);
  const kasa = online.filter((device) => device.cloud === 'kasa');
  const tapo = online.filter((device) => device.cloud === 'tapo');
  const kasaMeteredOutlets = kasa.filter((d) => KASA_METERED_STRIP.test(d.model)).reduce((sum, d) => sum + d.children.length, 0);
  const kasaMetered = kasa.filter((d) => KASA_METERED.test(d.model)).length;
  const sockets = new Set(tapo.flatMap((d) => d.children));
  const tapoMetered =
    tapo.filter((d) => d.children.length === 0 && TAPO_METERED.test(d.model)).length +
    tapo.filter((d) => TAPO_METERED_SOCKETS_OF.test(d.model)).reduce((sum, d) => sum + d.children.length, 0);
  const shadowReads = Math.ceil(tapo.length / shadowBatchSize);
  const state = kasa.length + shadowReads;
  const energy = kasaMetered + kasaMeteredOutlets + tapoMetered;
  const settings = kasa.length + tapo.filter((d) => !sockets.has(d.id)).length;
  return {
    kasaDevices: kasa.length,
    kasaMetered,
    kasaMeteredOutlets,
    tapoThings: tapo.length,
    tapoMetered,
    shadowBatchSize,
    requests: { state, energy, both: state + energy, settings },
  };
}

/** Runs one cycle in the child and counts what the simulator saw meanwhile. */
export async function measureCycle(
  child: BridgeChild,
  bench: BenchSimulator,
  what: CycleKind,
  minimum: Minimums,
  timeoutMs: number,
): Promise<CycleCost> {
  bench.sim.clearRequests();
  const report = await child.cycle(what, timeoutMs);
  const byApi = bench.countByApi();
  return {
    what,
    requests: Object.values(byApi).reduce((sum, count) => sum + count, 0),
    byApi,
    minimum: minimum.requests[what],
    wallMs: report.wallMs,
    cpuMs: report.cpuUserMs + report.cpuSystemMs,
    cpuUserMs: report.cpuUserMs,
    cpuSystemMs: report.cpuSystemMs,
    published: report.published,
  };
}
