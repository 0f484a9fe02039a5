/**
 * The features both clouds share. A cloud module (src/clouds/<cloud>/modules)
 * says which of these a node has, how to read them and how to write them; a
 * feature only one module knows is declared in that module.
 */
import type { Feature } from './feature.js';

const number = (min: number, max: number, extra: { step?: number; unit?: string } = {}) => ({ kind: 'number' as const, min, max, ...extra });

/** On/off of the node's relay or light: the main switch or light entity. */
export const STATE: Feature = {
  id: 'state',
  type: { kind: 'onoff' },
  readable: true,
  writable: true,
  doc: 'the relay, or the light',
};
/** 1-100 %. */
export const BRIGHTNESS: Feature = {
  id: 'brightness',
  type: number(1, 100, { unit: '%' }),
  readable: true,
  writable: true,
  doc: 'dimmers, bulbs, light strips',
};
/** Kelvin; every node declares its own range (withRange). */
export const COLOR_TEMP: Feature = {
  id: 'color_temp',
  type: number(2500, 9000, { unit: 'K' }),
  readable: true,
  writable: true,
  doc: "white temperature (within the model's range, e.g. 2500-9000 for a KL130)",
};
export const COLOR: Feature = {
  id: 'color',
  type: { kind: 'color' },
  readable: true,
  writable: true,
  doc: 'hue and saturation of colour lights',
};

export const POWER: Feature = {
  id: 'power',
  type: number(0, 100_000, { step: 0.01, unit: 'W' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Power', device_class: 'power', unit_of_measurement: 'W', state_class: 'measurement', suggested_display_precision: 1 },
  doc: 'energy meters: power now',
};
export const VOLTAGE: Feature = {
  id: 'voltage',
  type: number(0, 1000, { step: 0.1, unit: 'V' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Voltage', device_class: 'voltage', unit_of_measurement: 'V', state_class: 'measurement', suggested_display_precision: 1 },
  doc: 'energy meters',
};
export const CURRENT: Feature = {
  id: 'current',
  type: number(0, 1000, { step: 0.001, unit: 'A' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'Current', device_class: 'current', unit_of_measurement: 'A', state_class: 'measurement', suggested_display_precision: 2 },
  doc: 'energy meters',
};
/**
 * kWh for the Energy dashboard. total_increasing throughout: a total only
 * grows (a Kasa meter that restarts at 0 is a reset), and a day's or a
 * month's figure drops to 0 only at its period's start, which Home Assistant
 * takes as a new cycle. `total` with a last_reset would need the start of
 * the device's day, in a zone the cloud does not tell (Kasa).
 */
export const kwh = (id: string, name: string, doc: string, cadence?: 'energy'): Feature => ({
  id,
  type: number(0, 1e9, { step: 0.001, unit: 'kWh' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name, device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing', suggested_display_precision: 3 },
  doc,
  ...(cadence ? { cadence } : {}),
});
export const ENERGY = kwh('energy', 'Total consumption', "energy meters: total counted by the device (Tapo: this month's, as the cloud has no total)");
/** Since the device's midnight. */
export const ENERGY_TODAY = kwh('energy_today', "Today's consumption", "energy meters: since the device's midnight (kWh)", 'energy');

export const LED: Feature = {
  id: 'led',
  type: { kind: 'onoff' },
  readable: true,
  writable: true,
  entity: { component: 'switch', name: 'LED', entity_category: 'config' },
  doc: 'the status LED of Kasa plugs, switches and strips',
};

export const RSSI: Feature = {
  id: 'rssi',
  type: number(-150, 0, { unit: 'dBm' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'RSSI', device_class: 'signal_strength', unit_of_measurement: 'dBm', state_class: 'measurement', entity_category: 'diagnostic', enabled_by_default: false },
  doc: 'Wi-Fi signal',
};

export const ON_TIME: Feature = {
  id: 'on_time',
  type: number(0, 1e10, { unit: 's' }),
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'On time', device_class: 'duration', unit_of_measurement: 's', entity_category: 'diagnostic', enabled_by_default: false },
  doc: 'time since it was switched on',
};

/** When it was switched on (the read's time less its on_time); null while off or unknown. */
export const ON_SINCE: Feature = {
  id: 'on_since',
  type: { kind: 'timestamp' },
  readable: true,
  writable: false,
  entity: { component: 'sensor', name: 'On since', device_class: 'timestamp', icon: 'mdi:clock-outline', entity_category: 'diagnostic', enabled_by_default: false },
  doc: 'when it was switched on (null while off); moves only when it is switched on again',
};

/** The device's own link to TP-Link's cloud (read at the settings cadence). */
export const CLOUD_CONNECTION: Feature = {
  id: 'cloud_connection',
  type: { kind: 'flag' },
  readable: true,
  writable: false,
  cadence: 'settings',
  entity: { component: 'binary_sensor', name: 'Cloud connection', device_class: 'connectivity', icon: 'mdi:cloud', entity_category: 'diagnostic' },
  doc: "the device's own connection to TP-Link's cloud, as it reports it",
};

/** Restarts the device (a button: `set/reboot` takes PRESS); strip outlets restart with their strip. */
export const REBOOT: Feature = {
  id: 'reboot',
  type: { kind: 'press' },
  readable: false,
  writable: true,
  entity: { component: 'button', name: 'Restart', device_class: 'restart', entity_category: 'config' },
  doc: 'restarts the device: `PRESS` (it is out of reach for a few seconds)',
};

/**
 * Home Assistant's update entity: installed and latest version, release
 * notes, progress while installing. Writable where the cloud can install
 * (Tapo `fw_download`, unless firmware.allowInstall is off; Kasa has no
 * install call to trust); each cloud's firmware module declares the node's
 * variant.
 */
export const FIRMWARE: Feature = {
  id: 'firmware',
  type: { kind: 'update' },
  readable: true,
  writable: true,
  entity: { component: 'update', name: 'Firmware', device_class: 'firmware', entity_category: 'config' },
  doc: 'installed and latest firmware, release notes, progress while the device installs one; `install` installs the latest (Tapo, unless firmware.allowInstall is off; read-only on Kasa)',
  cadence: 'firmware',
};

const problem = (id: string, name: string): Feature => ({
  id,
  doc: 'Tapo protection state: true while tripped',
  type: { kind: 'flag' },
  readable: true,
  writable: false,
  entity: { component: 'binary_sensor', name, device_class: 'problem', entity_category: 'diagnostic' },
});
export const OVERCURRENT = problem('overcurrent', 'Overcurrent');
export const OVERHEAT = problem('overheat', 'Overheated');
export const POWER_PROTECTION = problem('power_protection', 'Overloaded');

/** In the order the README documents them. */
export const COMMON_FEATURES: readonly Feature[] = [
  STATE, BRIGHTNESS, COLOR_TEMP, COLOR, POWER, VOLTAGE, CURRENT, ENERGY, ENERGY_TODAY, RSSI, LED, ON_TIME, ON_SINCE, CLOUD_CONNECTION, REBOOT, FIRMWARE, OVERCURRENT, OVERHEAT, POWER_PROTECTION,
];
