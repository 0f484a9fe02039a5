/**
 * A simulated TP-Link cloud (Kasa V1/V2 and Tapo) on loopback, for tests,
 * the demo and the benchmarks. See types.ts for the contract.
 */
import { Accounts } from './accounts.js';
import { DEFAULT_FAULTS, DEFAULT_SEED, DEFAULT_USERNAME } from './defaults.js';
import { builtinDevices, syntheticDevices } from './catalog.js';
import type { HostApi, SimContext } from './context.js';
import { loadFixtures } from './fixtures.js';
import { kasaApi } from './kasa-api.js';
import { outletState, patchKasa, renderSysinfo } from './kasa-devices.js';
import { REGIONS, seededRandom, text } from './model.js';
import { Registry, type DeviceSpec } from './registry.js';
import { RateWindow, startHost, type HostServer, type Plumbing } from './servers.js';
import { tapoAccountApi, tapoAppApi } from './tapo-api.js';
import { patchThing, settle, shadowOf, thingOnline } from './tapo-things.js';
import type {
  FaultOptions,
  RecordedRequest,
  SimulatedDeviceSummary,
  Simulator,
  SimulatorOptions,
  SimulatorUrls,
} from './types.js';

export type * from './types.js';

export { DEFAULT_FAULTS, DEFAULT_SEED, DEFAULT_USERNAME } from './defaults.js';
export { seededRandom } from './model.js';

function pickFaults(options: SimulatorOptions): FaultOptions {
  const faults: FaultOptions = { ...DEFAULT_FAULTS, errorKinds: [...DEFAULT_FAULTS.errorKinds] };
  for (const key of Object.keys(DEFAULT_FAULTS) as (keyof FaultOptions)[]) {
    if (options[key] !== undefined) Object.assign(faults, { [key]: options[key] });
  }
  return faults;
}

function specsFor(options: SimulatorOptions): DeviceSpec[] {
  const specs: DeviceSpec[] = [];
  const useBuiltin = options.builtin ?? (options.fixturesDir === undefined && !options.devices);
  if (useBuiltin) specs.push(...builtinDevices());
  if (options.fixturesDir !== undefined) specs.push(...loadFixtures(options.fixturesDir).specs);
  if (options.devices) specs.push(...syntheticDevices(options.devices));
  return specs;
}

/** Password derived from the seed: random-looking, but stable for the same options. */
function defaultPassword(seed: number): string {
  const rng = seededRandom(seed ^ 0x5eed);
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < 14; i++) out += alphabet[Math.floor(rng() * alphabet.length)];
  return `${out}!`;
}

/** The simulator holds a test account and answers anyone: it must never leave the machine. */
function loopbackOnly(host: string): string {
  if (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost') return host;
  throw new Error(`simulator: refusing to listen on ${host}; use a loopback address`);
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? DEFAULT_SEED;
  const address = loopbackOnly(options.host ?? '127.0.0.1');
  const clock = options.clock ?? Date.now;
  const rng = seededRandom(seed);
  const log = options.log ?? (() => undefined);
  const faults = pickFaults(options);
  const username = options.username ?? DEFAULT_USERNAME;
  const password = options.password ?? defaultPassword(seed);
  const registry = new Registry(specsFor(options), seed, clock());
  const urls: SimulatorUrls = {
    kasa: { url: '', v2Url: '', regions: {} },
    tapo: { accountUrl: '', appServerUrl: '', v2RegionalUrl: '', thingsUrl: '', refreshUrl: '' },
  };
  const ctx: SimContext = {
    faults,
    clock,
    rng,
    registry,
    urls,
    log,
    accounts: new Accounts(username, password, () => faults, clock, rng, log),
  };
  const requests: RecordedRequest[] = [];
  const plumbing: Plumbing = {
    ctx,
    requests,
    recordLimit: options.recordLimit ?? 0,
    rateWindows: { kasa: new RateWindow(), tapo: new RateWindow() },
    timers: new Set(),
    tls: options.tls,
  };

  const kasa = kasaApi(ctx);
  const tapoApp = tapoAppApi(ctx);
  const hostApis: [string, HostApi][] = [
    ['wap', kasa],
    ['n-wap', kasa],
    ...REGIONS.map((region): [string, HostApi] => [region, kasa]),
    ['tapo-account', tapoAccountApi(ctx, 'first')],
    ['tapo-wap', tapoAccountApi(ctx, 'regional')],
    ['tapo-app', tapoApp],
    ['tapo-things', tapoApp],
  ];
  const servers: HostServer[] = [];
  try {
    for (const [name, api] of hostApis) servers.push(await startHost(plumbing, name, api, address));
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
  const urlOf = (name: string): string => servers.find((server) => server.name === name)?.url ?? '';
  urls.kasa.url = urlOf('wap');
  urls.kasa.v2Url = urlOf('n-wap');
  for (const region of REGIONS) urls.kasa.regions[region] = urlOf(region);
  urls.tapo.accountUrl = `${urlOf('tapo-account')}/api/v1/account`;
  urls.tapo.appServerUrl = urlOf('tapo-app');
  urls.tapo.v2RegionalUrl = urlOf('tapo-wap');
  urls.tapo.thingsUrl = urlOf('tapo-things');
  urls.tapo.refreshUrl = urls.kasa.url;

  const findOutlet = (id: string) => registry.outlets.get(id);
  let closed: Promise<void> | undefined;

  return {
    urls,
    username,
    password,
    get requests() {
      return requests;
    },
    clearRequests: () => {
      requests.length = 0;
    },
    setFaults: (patch) => {
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) Object.assign(faults, { [key]: value });
      }
    },
    get faults() {
      return faults;
    },
    expireTokens: () => ctx.accounts.expireAll(),
    expireRefreshTokens: () => ctx.accounts.expireRefreshTokens(),
    unlockAccount: () => ctx.accounts.unlock(),
    lastMfaCode: () => ctx.accounts.lastMfaCode(),
    devices: (): SimulatedDeviceSummary[] => [
      ...[...registry.kasa.values()].map((d) => ({
        cloud: 'kasa' as const,
        id: d.id,
        model: d.model,
        alias: text(d.sysinfo.alias),
        online: d.online,
        children: d.children.map((c) => c.id),
      })),
      ...registry.things().map((t) => ({
        cloud: 'tapo' as const,
        id: t.id,
        model: t.model,
        alias: t.alias,
        online: thingOnline(registry, t, clock()),
        children: [...t.children],
      })),
    ],
    setOnline: (id, online) => {
      const target = registry.kasa.get(id) ?? registry.tapo.get(id) ?? findOutlet(id)?.device;
      if (!target) throw new Error(`simulator: no device ${id}`);
      if (target.cloud === 'tapo') settle(registry, target, clock());
      target.online = online;
    },
    removeDevice: (id) => {
      if (!registry.remove(id)) throw new Error(`simulator: no device ${id}`);
    },
    deviceState: (id) => {
      const device = registry.kasa.get(id);
      if (device) return renderSysinfo(device);
      const outlet = findOutlet(id);
      if (outlet) return outletState(outlet.outlet, outlet.device);
      const thing = registry.tapo.get(id);
      if (!thing) return undefined;
      settle(registry, thing, clock());
      const shadow = shadowOf(thing);
      return { reported: (shadow.state as { reported: unknown }).reported, desired: thing.desired, version: thing.version };
    },
    setDeviceState: (id, patch) => {
      const device = registry.kasa.get(id);
      const outlet = findOutlet(id);
      const thing = registry.tapo.get(id);
      if (device) patchKasa(device, undefined, patch, clock());
      else if (outlet) patchKasa(outlet.device, outlet.outlet, patch, clock());
      else if (thing) patchThing(registry, thing, patch, clock());
      else throw new Error(`simulator: no device ${id}`);
    },
    offerFirmware: (id, version, releaseNote = 'Improved stability and performance.') => {
      const offer = { version, releaseNote, releaseDate: new Date(clock()).toISOString().slice(0, 10) };
      const device = registry.kasa.get(id);
      const thing = registry.tapo.get(id);
      if (device) device.firmwareOffer = offer;
      else if (thing) thing.firmware = { ...thing.firmware, offered: offer };
      else throw new Error(`simulator: no device ${id}`);
    },
    close: () => {
      closed ??= (async () => {
        for (const timer of plumbing.timers) clearTimeout(timer);
        plumbing.timers.clear();
        await Promise.all(servers.map((server) => server.close()));
      })();
      return closed;
    },
  };
}
