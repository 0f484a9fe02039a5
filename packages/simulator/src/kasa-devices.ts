/**
 * The IOT (Kasa LAN) protocol executed against per-device state: what the
 * cloud's passthrough hands to a device and what the device answers.
 */
import { isJson, kasaOutletOn, type EnergyMeter, type Json, type KasaDevice, type KasaOutlet } from './model.js';
import { DIMMER_SETTINGS, settingsModule, type Method } from './kasa-settings.js';
import { STATS, TIME } from './kasa-stats.js';
import { onTimeAt, switched } from './on-time.js';
import { synthesised } from './kasa-synth.js';
import { effectModule } from './kasa-effects.js';

const MODULE_NOT_SUPPORTED = { err_code: -1, err_msg: 'module not support' };
const MEMBER_NOT_SUPPORTED = { err_code: -2, err_msg: 'member not support' };
const INVALID_ARGUMENT = { err_code: -3, err_msg: 'invalid argument' };
const BAD_LIGHT_ARGUMENT = { err_code: -10000, err_msg: 'Invalid input argument' };
// Real strips answer an unknown child id with "entry not exist" per module.
const NO_SUCH_CHILD = { err_code: -14, err_msg: 'entry not exist' };

/** How long a rebooting device is out of reach after its delay (real plugs take 10-30 s). */
export const REBOOT_MS = 15_000;

/** Reachable: not switched off in the simulator, not rebooting. */
export function kasaReachable(device: KasaDevice, now: number): boolean {
  return device.online && (device.rebootUntil === undefined || now >= device.rebootUntil);
}

function ok(result: Json = {}): Json {
  return { ...result, err_code: 0 };
}

function inRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function outletOn(device: KasaDevice, outlet: KasaOutlet | undefined): boolean {
  return outlet ? outlet.state === 1 : kasaOutletOn(device);
}

export function renderLight(device: KasaDevice): Json {
  const light = device.light;
  if (!light) return {};
  const look = {
    mode: light.mode,
    hue: light.hue,
    saturation: light.saturation,
    color_temp: light.colorTemp,
    brightness: light.brightness,
  };
  return light.on ? { on_off: 1, ...look } : { on_off: 0, dft_on_state: look };
}

export function renderSysinfo(device: KasaDevice, now = Date.now()): Json {
  const info: Json = { ...device.sysinfo };
  if (device.family === 'strip') {
    info.child_num = device.children.length;
    info.children = device.children.map((outlet) => ({
      id: outlet.id,
      state: outlet.state,
      alias: outlet.alias,
      // A negative captured count (HS300 firmware) stays as the device reports it.
      on_time: outlet.onTime < 0 ? outlet.onTime : onTimeAt(outlet, outlet.state === 1, outlet.onTime, now, device.rebootUntil),
      next_action: { type: -1 },
    }));
  } else if (typeof device.sysinfo.on_time === 'number' && !device.light) {
    info.on_time = onTimeAt(device, device.sysinfo.relay_state === 1, device.sysinfo.on_time, now, device.rebootUntil);
  }
  if (device.light) info.light_state = renderLight(device);
  return { ...info, err_code: 0 };
}

function renderMeter(meter: EnergyMeter, on: boolean, shape: 'new' | 'old', now: number): Json {
  const totalWh = meter.totalWh(now, on);
  const power = on ? meter.powerW : 0;
  // A captured reading keeps its own current (a real meter's is not power ÷ voltage).
  const current = on ? (meter.currentA ?? (meter.voltageV > 0 ? power / meter.voltageV : 0)) : 0;
  if (shape === 'old') {
    return ok({ voltage: meter.voltageV, current, power, total: totalWh / 1000 });
  }
  return ok({
    voltage_mv: Math.round(meter.voltageV * 1000),
    current_ma: Math.round(current * 1000),
    power_mw: Math.round(power * 1000),
    total_wh: Math.round(totalWh),
  });
}

function setRelay(device: KasaDevice, outlets: KasaOutlet[] | undefined, state: number, now: number): void {
  if (device.family === 'strip') {
    for (const outlet of outlets ?? device.children) {
      outlet.meter?.advance(now, outlet.state === 1);
      if (outlet.state !== state) switched(outlet, state === 1, now);
      outlet.state = state;
    }
    return;
  }
  device.meter?.advance(now, kasaOutletOn(device));
  if (device.sysinfo.relay_state !== state) switched(device, state === 1, now);
  device.sysinfo.relay_state = state;
}

function applyLight(device: KasaDevice, params: Json, now: number): Json | undefined {
  const light = device.light;
  if (!light) return MEMBER_NOT_SUPPORTED;
  const checks: [string, number, number][] = [
    ['on_off', 0, 1],
    ['brightness', 0, 100],
    ['hue', 0, 360],
    ['saturation', 0, 100],
    ['color_temp', 0, 9000],
  ];
  for (const [key, min, max] of checks) {
    if (key in params && !inRange(params[key], min, max)) return BAD_LIGHT_ARGUMENT;
  }
  device.meter?.advance(now, light.on);
  if (typeof params.on_off === 'number') light.on = params.on_off === 1;
  if (typeof params.brightness === 'number') light.brightness = params.brightness;
  if (typeof params.mode === 'string') light.mode = params.mode;
  // color_temp 0 is colour mode: colour lights without tunable white (KL420L5) take it too.
  const colourMode = params.color_temp === 0 && device.sysinfo.is_color === 1;
  if (typeof params.color_temp === 'number' && (device.sysinfo.is_variable_color_temp === 1 || colourMode)) {
    light.colorTemp = params.color_temp;
  }
  // Hue and saturation only take effect in colour mode (color_temp 0), as on the bulbs.
  if (device.sysinfo.is_color === 1 && light.colorTemp === 0) {
    if (typeof params.hue === 'number') light.hue = params.hue;
    if (typeof params.saturation === 'number') light.saturation = params.saturation;
  }
  return undefined;
}

const lightMethods = (setName: string): Record<string, Method> => ({
  [setName]: (device, params, _targets, now) => applyLight(device, params, now) ?? ok(lightAnswer(device)),
  get_light_state: (device) => ok(lightAnswer(device)),
});

function lightAnswer(device: KasaDevice): Json {
  const state = renderLight(device);
  return device.family === 'lightstrip' ? { ...state, length: device.sysinfo.length } : state;
}

const SYSTEM: Record<string, Method> = {
  get_sysinfo: (device, _params, _targets, now) => renderSysinfo(device, now),
  set_relay_state: (device, params, targets, now) => {
    if (device.light) return MEMBER_NOT_SUPPORTED;
    if (!inRange(params.state, 0, 1)) return INVALID_ARGUMENT;
    setRelay(device, targets, params.state, now);
    return ok();
  },
  set_led_off: (device, params) => {
    if (device.light) return MEMBER_NOT_SUPPORTED;
    if (!inRange(params.off, 0, 1)) return INVALID_ARGUMENT;
    device.sysinfo.led_off = params.off;
    return ok();
  },
  // Answers, then is out of reach for `delay` s plus the reboot itself.
  reboot: (device, params, targets, now) => {
    const delay = params.delay ?? 1;
    if (targets) return MEMBER_NOT_SUPPORTED;
    if (!inRange(delay, 0, 60)) return INVALID_ARGUMENT;
    device.rebootUntil = now + delay * 1000 + REBOOT_MS;
    return ok();
  },
  set_dev_alias: (device, params, targets) => {
    if (typeof params.alias !== 'string') return INVALID_ARGUMENT;
    if (targets) for (const outlet of targets) outlet.alias = params.alias;
    else device.sysinfo.alias = params.alias;
    return ok();
  },
};

const EMETER: Record<string, Method> = {
  ...STATS,
  get_realtime: (device, _params, targets, now) => {
    if (device.meter) return renderMeter(device.meter, kasaOutletOn(device), device.meterShape, now);
    const outlets = targets ?? device.children;
    const first = outlets[0];
    if (targets && first?.meter) return renderMeter(first.meter, first.state === 1, device.meterShape, now);
    // Without context the HS300 answers the whole strip: sum every outlet.
    let powerMw = 0;
    let totalWh = 0;
    let voltageMv = 0;
    let currentMa = 0;
    for (const outlet of outlets) {
      if (!outlet.meter) continue;
      const one = renderMeter(outlet.meter, outlet.state === 1, 'new', now);
      powerMw += Number(one.power_mw);
      totalWh += Number(one.total_wh);
      currentMa += Number(one.current_ma);
      voltageMv = Number(one.voltage_mv);
    }
    return ok({ voltage_mv: voltageMv, current_ma: currentMa, power_mw: powerMw, total_wh: totalWh });
  },
};

const BULB_EMETER: Record<string, Method> = {
  ...STATS,
  get_realtime: (device, _params, _targets, now) => {
    const light = device.light;
    const meter = device.meter;
    if (!light || !meter) return MODULE_NOT_SUPPORTED;
    const totalWh = meter.totalWh(now, light.on);
    const share = meter.followsBrightness ? Math.max(light.brightness, 1) / 100 : 1;
    const powerMw = light.on ? Math.round(meter.powerW * 1000 * share) : 0;
    return ok({ power_mw: powerMw, total_wh: Math.round(totalWh) });
  },
};

const DIMMER: Record<string, Method> = {
  ...DIMMER_SETTINGS,
  set_brightness: (device, params) => {
    if (!inRange(params.brightness, 0, 100)) return INVALID_ARGUMENT;
    device.sysinfo.brightness = params.brightness;
    return ok();
  },
};

function hasOwnMeter(device: KasaDevice): boolean {
  return device.meter !== undefined || device.children.some((outlet) => outlet.meter !== undefined);
}

/** Which modules a device executes live; everything else falls back to fixture answers or "not support". */
function liveModule(device: KasaDevice, module: string): Record<string, Method> | undefined {
  const isLight = device.family === 'bulb' || device.family === 'lightstrip';
  switch (module) {
    case 'system':
      return SYSTEM;
    case 'emeter':
      return !isLight && hasOwnMeter(device) ? EMETER : undefined;
    case 'smartlife.iot.dimmer':
      return device.family === 'dimmer' ? DIMMER : undefined;
    case 'smartlife.iot.smartbulb.lightingservice':
      return device.family === 'bulb' ? lightMethods('transition_light_state') : undefined;
    case 'smartlife.iot.lightStrip':
      return device.family === 'lightstrip' ? lightMethods('set_light_state') : undefined;
    case 'smartlife.iot.common.emeter':
      return isLight ? BULB_EMETER : undefined;
    case 'time':
      return isLight ? undefined : TIME;
    case 'smartlife.iot.common.timesetting':
      return isLight ? TIME : undefined;
    default:
      return settingsModule(device, module) ?? effectModule(device, module);
  }
}

function staticAnswer(device: KasaDevice, module: string, methods: Json): Json {
  const recorded = device.staticModules[module];
  if (!isJson(recorded)) return MODULE_NOT_SUPPORTED;
  if ('err_code' in recorded && !Object.keys(recorded).some((key) => isJson(recorded[key]))) return recorded;
  const answer: Json = {};
  for (const method of Object.keys(methods)) answer[method] = recorded[method] ?? MEMBER_NOT_SUPPORTED;
  return answer;
}

function resolveTargets(device: KasaDevice, context: unknown): KasaOutlet[] | undefined | null {
  if (!isJson(context) || !Array.isArray(context.child_ids)) return undefined;
  const targets: KasaOutlet[] = [];
  for (const raw of context.child_ids) {
    // Older firmware names outlets by their two-digit suffix only.
    const outlet = device.children.find((o) => o.id === raw || (typeof raw === 'string' && o.id.endsWith(raw) && raw.length === 2));
    if (!outlet) return null;
    targets.push(outlet);
  }
  return targets;
}

/** Runs one IOT request (several modules at once allowed) and answers like the device. */
export function executeIot(device: KasaDevice, request: Json, now: number): Json {
  const targets = resolveTargets(device, request.context);
  const answer: Json = {};
  for (const [module, methods] of Object.entries(request)) {
    if (module === 'context') continue;
    if (!isJson(methods)) {
      answer[module] = MEMBER_NOT_SUPPORTED;
      continue;
    }
    const live = liveModule(device, module);
    if (!live) {
      answer[module] = synthesised(device, module, methods, now) ?? staticAnswer(device, module, methods);
      continue;
    }
    const out: Json = {};
    for (const [method, params] of Object.entries(methods)) {
      const fn = live[method];
      if (targets === null) out[method] = NO_SUCH_CHILD;
      else out[method] = fn ? fn(device, isJson(params) ? params : {}, targets, now) : MEMBER_NOT_SUPPORTED;
    }
    answer[module] = out;
  }
  return answer;
}

/** `Simulator.setDeviceState` for Kasa: the app or a wall button changed something. */
export function patchKasa(device: KasaDevice, outlet: KasaOutlet | undefined, patch: Json, now: number): void {
  if (outlet) {
    const state = patch.state ?? patch.relay_state;
    if (state === 0 || state === 1) setRelay(device, [outlet], state, now);
    if (typeof patch.alias === 'string') outlet.alias = patch.alias;
    return;
  }
  const state = patch.relay_state ?? patch.state;
  if ((state === 0 || state === 1) && !device.light) setRelay(device, undefined, state, now);
  if (device.light) {
    const light = isJson(patch.light_state) ? patch.light_state : patch;
    applyLight(device, light, now);
  }
  for (const key of ['alias', 'led_off', 'brightness'] as const) {
    if (key in patch && !(device.light && key === 'brightness')) device.sysinfo[key] = patch[key];
  }
}

export function outletState(outlet: KasaOutlet, device: KasaDevice): Json {
  return {
    id: outlet.id,
    alias: outlet.alias,
    state: outlet.state,
    on_time: outlet.state === 1 ? outlet.onTime : 0,
    parentId: device.id,
    on: outletOn(device, outlet),
  };
}
