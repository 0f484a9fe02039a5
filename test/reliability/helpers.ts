/**
 * Shared pieces of the reliability tests: request counting on the
 * simulator, node lookup, event reading, log capture and a few waits.
 * The bridge itself is driven through test/bridge/harness.ts.
 */

import { createServer } from 'node:net';
import type { CloudName, DeviceNode } from '../../src/model/node.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { RecordedRequest, Simulator } from 'tplink-cloud-sim';
import type { Harness } from '../bridge/harness.js';
import { tempDir } from '../helpers/temp.js';
import { simulatorEnv } from '../../src/cli/simulate-env.js';
import { eventsOf, type BridgeEvent, type BridgeEventType } from '../helpers/api.js';
export type { BridgeEvent };

export type Cloud = 'kasa' | 'tapo';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tapo tokens are refreshed on the Kasa-style host: tell them apart by the appType they send. */
function refreshCloud(request: RecordedRequest): Cloud {
  return JSON.stringify(request.body).includes('Tapo') ? 'tapo' : 'kasa';
}

const LOGIN_APIS = new Set(['login', 'v2.login']);

/** Login attempts one cloud made (Kasa V1 and V2 logins both count). */
export function logins(sim: Simulator, cloud: Cloud): RecordedRequest[] {
  return sim.requests.filter((request) => LOGIN_APIS.has(request.api) && request.cloud === cloud);
}

/** V1 Kasa login answered "app version too old" (-23003): only a pointer to the V2 login that follows. */
const USE_V2 = -23003;

/** Login attempts that count against the account: every login but the V1 pointer to V2. */
export function loginAttempts(sim: Simulator, cloud: Cloud): RecordedRequest[] {
  return logins(sim, cloud).filter((request) => request.errorCode !== USE_V2);
}

export function refreshes(sim: Simulator, cloud: Cloud): RecordedRequest[] {
  return sim.requests.filter((request) => /refreshToken$/.test(request.api) && refreshCloud(request) === cloud);
}

/** Requests that change a device: Tapo shadow patches and Kasa passthroughs that read nothing. */
export function isWrite(request: RecordedRequest): boolean {
  if (request.api === 'shadows.patch') return true;
  return request.api === 'passthrough' && !JSON.stringify(request.body).includes('"get_');
}

export function writes(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter(isWrite);
}

export function nodeNamed(h: Harness, name: string): DeviceNode {
  return h.node(name);
}

/** The simulator's id of a node: Kasa deviceId (childId for an outlet) or Tapo thingName. */
export function simId(node: DeviceNode): string {
  if (node.address.cloud === 'kasa') return node.address.childId ?? node.address.deviceId;
  return node.address.thingName;
}

/** ON/OFF as the simulator holds it: Kasa relay_state / outlet state / light on_off, Tapo reported.on. */
export function simPower(sim: Simulator, node: DeviceNode): 'ON' | 'OFF' | undefined {
  const state = sim.deviceState(simId(node));
  if (!state) return undefined;
  const reported = state.reported as { device_on?: unknown; on?: unknown } | undefined;
  const light = state.light_state as { on_off?: unknown } | undefined;
  const raw = reported?.on ?? reported?.device_on ?? state.relay_state ?? state.state ?? light?.on_off;
  if (raw === undefined) return undefined;
  return raw === true || raw === 1 ? 'ON' : 'OFF';
}

/**
 * On or off as the cloud holds it for the simulator's device `id`: Kasa
 * relay / outlet / light state, Tapo desired `on` before reported (what a
 * command changes; the device follows when online).
 */
export function cloudOn(sim: Simulator, id: string, cloud: CloudName): boolean | undefined {
  const state = sim.deviceState(id);
  if (!state) return undefined;
  if (cloud === 'tapo') {
    const desired = state.desired as { on?: unknown } | undefined;
    const reported = state.reported as { on?: unknown; device_on?: unknown } | undefined;
    const on = desired?.on ?? reported?.on ?? reported?.device_on;
    return typeof on === 'boolean' ? on : undefined;
  }
  const light = state.light_state as { on_off?: unknown } | undefined;
  const raw = state.relay_state ?? state.state ?? light?.on_off;
  return raw === undefined ? undefined : raw === 1;
}

/** Tapo: what the cloud accepted (desired), which is what a command changes. */
export function simDesiredOn(sim: Simulator, node: DeviceNode): boolean | undefined {
  const desired = sim.deviceState(simId(node))?.desired as { on?: unknown } | undefined;
  return typeof desired?.on === 'boolean' ? desired.on : undefined;
}

/** Events on <base>/bridge/event, optionally of one type, from message index `from` on, parsed with the API schema. */
export function events<T extends BridgeEventType>(h: Harness, type?: T, from = 0): Extract<BridgeEvent, { type: T }>[] {
  return eventsOf(
    h.messages.slice(from).filter((message) => message.topic === 'tplink/bridge/event').map((message) => message.payload),
    type,
  );
}

export function availability(h: Harness, node: DeviceNode): string | undefined {
  return h.lastJson<{ state?: string }>(`tplink/${h.nameOf(node.id)}/availability`)?.state;
}

export function relayNodes(h: Harness, cloud: Cloud): DeviceNode[] {
  return h.bridge.store.ofCloud(cloud).filter((node) => node.features?.state?.writable === true && node.kind !== 'strip');
}

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
}

/** A trace logger whose every output line is kept (after the logger's own scrubbing, as a user would see it). */
export function captureLogger(level = 'trace'): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger({ level, pretty: false, destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

/** Records unhandled rejections while a test runs; call the returned function to stop and read them. */
export function watchUnhandled(): () => unknown[] {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
    return seen;
  };
}

/** Ports freePort gave out in this worker: the system may offer a port again once it is closed. */
const given = new Set<number>();

/**
 * A loopback port nothing listens on now, never one this worker was given before: tests running
 * at once each get their own, even before the first has bound its port.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Environment for the real CLI (`tplink-cloud-mqtt run`) pointed at a simulator, embedded broker on `port`. */
export function cliEnv(sim: Simulator, port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...simulatorEnv(sim),
    TPCM_STATE_DIR: tempDir('tpcm-cli-'),
    TPCM_EMBEDDED_BROKER_PORT: String(port),
    TPCM_RATE_LIMIT_KASA_PER_SECOND: '0',
    TPCM_RATE_LIMIT_TAPO_PER_SECOND: '0',
    TPCM_POLL_INTERVAL_S: '3600',
    TPCM_POLL_ENERGY_INTERVAL_S: '3600',
    TPCM_COMMANDS_CONFIRM_DELAY_S: '0.2',
    TPCM_LOG_LEVEL: 'info',
    ...extra,
  };
}
