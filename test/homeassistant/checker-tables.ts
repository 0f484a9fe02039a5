/**
 * The tables the discovery checker validates against, transcribed from Home
 * Assistant core (components/mqtt/{schemas,abbreviations,switch,sensor,
 * binary_sensor,number,select,button,update}.py, light/schema_json.py, components/sensor/const.py) for
 * HA 2025.10+. Only what a TP-Link bridge can plausibly publish is listed;
 * anything else is reported as unknown, which is the point.
 */

export const SUPPORTED_COMPONENTS = new Set([
  'alarm_control_panel', 'binary_sensor', 'button', 'camera', 'climate', 'cover', 'device_automation',
  'device_tracker', 'event', 'fan', 'humidifier', 'image', 'lawn_mower', 'light', 'lock', 'notify', 'number',
  'scene', 'select', 'sensor', 'siren', 'switch', 'tag', 'text', 'update', 'vacuum', 'valve', 'water_heater',
]);

/** Abbreviations HA expands before validating (a subset of abbreviations.py). */
export const ABBREVIATIONS: Record<string, string> = {
  avty: 'availability', avty_mode: 'availability_mode', avty_t: 'availability_topic',
  avty_tpl: 'availability_template', pl_avail: 'payload_available', pl_not_avail: 'payload_not_available',
  cmps: 'components', dev: 'device', o: 'origin', p: 'platform', e: 'encoding',
  uniq_id: 'unique_id', def_ent_id: 'default_entity_id', obj_id: 'object_id', stat_t: 'state_topic',
  cmd_t: 'command_topic', cmd_tpl: 'command_template', val_tpl: 'value_template', dev_cla: 'device_class',
  unit_of_meas: 'unit_of_measurement', stat_cla: 'state_class', ent_cat: 'entity_category',
  en: 'enabled_by_default', ic: 'icon', pl_on: 'payload_on', pl_off: 'payload_off', stat_on: 'state_on',
  stat_off: 'state_off', json_attr_t: 'json_attributes_topic', json_attr_tpl: 'json_attributes_template',
  sup_clrm: 'supported_color_modes', bri: 'brightness', bri_scl: 'brightness_scale', min_klv: 'min_kelvin',
  max_klv: 'max_kelvin', sug_dsp_prc: 'suggested_display_precision', exp_aft: 'expire_after',
  frc_upd: 'force_update', opt: 'optimistic', ret: 'retain', schema: 'schema', t: 'topic',
};
export const DEVICE_ABBREVIATIONS: Record<string, string> = {
  cns: 'connections', ids: 'identifiers', name: 'name', mf: 'manufacturer', mdl: 'model', mdl_id: 'model_id',
  hw: 'hw_version', sw: 'sw_version', sa: 'suggested_area', sn: 'serial_number', via_device: 'via_device',
  cu: 'configuration_url',
};
export const ORIGIN_ABBREVIATIONS: Record<string, string> = { name: 'name', sw: 'sw_version', url: 'support_url' };

const AVAILABILITY_KEYS = [
  'availability', 'availability_mode', 'availability_template', 'availability_topic',
  'payload_available', 'payload_not_available',
];

/** Root of `<prefix>/device/<id>/config` (DEVICE_DISCOVERY_SCHEMA: extra keys rejected). */
export const DEVICE_ROOT_KEYS = new Set([
  ...AVAILABILITY_KEYS, 'device', 'components', 'origin', 'state_topic', 'command_topic',
  'message_expiry_interval', 'qos', 'encoding',
]);
/** Root options a component inherits when it does not set them (SHARED_OPTIONS). */
export const SHARED_OPTIONS = [...AVAILABILITY_KEYS, 'command_topic', 'encoding', 'message_expiry_interval', 'state_topic', 'qos'];

export const DEVICE_KEYS = new Set([
  'identifiers', 'connections', 'manufacturer', 'model', 'model_id', 'name', 'hw_version',
  'serial_number', 'sw_version', 'via_device', 'suggested_area', 'configuration_url',
]);
export const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);

/** MQTT_ENTITY_COMMON_SCHEMA plus `name`, `qos`, `encoding` every platform takes. */
export const COMMON_ENTITY_KEYS = [
  ...AVAILABILITY_KEYS, 'device', 'entity_picture', 'origin', 'enabled_by_default', 'entity_category', 'icon',
  'json_attributes_topic', 'json_attributes_template', 'default_entity_id', 'message_expiry_interval',
  'unique_id', 'visible_by_default', 'name', 'qos', 'encoding',
];

export const PLATFORM_KEYS: Record<string, string[]> = {
  switch: [
    'command_topic', 'command_template', 'device_class', 'optimistic', 'payload_off', 'payload_on', 'retain',
    'state_off', 'state_on', 'state_topic', 'value_template',
  ],
  light: [
    'schema', 'brightness', 'brightness_scale', 'color_temp_kelvin', 'command_topic', 'effect', 'effect_list',
    'flash', 'flash_time_long', 'flash_time_short', 'max_kelvin', 'min_kelvin', 'max_mireds', 'min_mireds',
    'optimistic', 'retain', 'state_topic', 'supported_color_modes', 'transition', 'white_scale',
  ],
  sensor: [
    'device_class', 'expire_after', 'force_update', 'last_reset_value_template', 'options', 'state_class',
    'state_topic', 'suggested_display_precision', 'unit_of_measurement', 'value_template',
  ],
  binary_sensor: [
    'device_class', 'expire_after', 'force_update', 'off_delay', 'payload_off', 'payload_on', 'state_topic',
    'value_template',
  ],
  number: [
    'command_template', 'command_topic', 'device_class', 'max', 'min', 'mode', 'optimistic', 'payload_reset',
    'retain', 'state_topic', 'step', 'unit_of_measurement', 'value_template',
  ],
  select: ['command_template', 'command_topic', 'optimistic', 'options', 'retain', 'state_topic', 'value_template'],
  button: ['command_template', 'command_topic', 'device_class', 'payload_press', 'retain'],
  update: [
    'command_topic', 'device_class', 'display_precision', 'latest_version_template', 'latest_version_topic',
    'payload_install', 'release_summary', 'release_url', 'retain', 'state_topic', 'title', 'value_template',
  ],
};
export const REQUIRED_KEYS: Record<string, string[]> = {
  switch: ['command_topic'],
  light: ['command_topic'],
  sensor: ['state_topic'],
  binary_sensor: ['state_topic'],
  number: ['command_topic'],
  select: ['command_topic', 'options'],
  button: ['command_topic'],
  // HA requires none, but an update entity without a state shows nothing.
  update: ['state_topic'],
};

export const BUTTON_DEVICE_CLASSES = new Set(['identify', 'restart', 'update']);
export const UPDATE_DEVICE_CLASSES = new Set(['firmware']);
export const NUMBER_MODES = new Set(['auto', 'box', 'slider']);

export const SWITCH_DEVICE_CLASSES = new Set(['outlet', 'switch']);
export const BINARY_SENSOR_DEVICE_CLASSES = new Set([
  'battery', 'battery_charging', 'carbon_monoxide', 'cold', 'connectivity', 'door', 'garage_door', 'gas', 'heat',
  'light', 'lock', 'moisture', 'motion', 'moving', 'occupancy', 'opening', 'plug', 'power', 'presence', 'problem',
  'running', 'safety', 'smoke', 'sound', 'tamper', 'update', 'vibration', 'window',
]);

/** Sensor device class -> valid units and state classes (sensor/const.py). */
export const SENSOR_DEVICE_CLASSES: Record<string, { units: string[]; stateClasses: string[] }> = {
  power: { units: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'], stateClasses: ['measurement'] },
  energy: {
    units: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
    stateClasses: ['total', 'total_increasing'],
  },
  voltage: { units: ['µV', 'mV', 'V', 'kV', 'MV'], stateClasses: ['measurement'] },
  current: { units: ['mA', 'A'], stateClasses: ['measurement'] },
  signal_strength: { units: ['dB', 'dBm'], stateClasses: ['measurement'] },
  duration: { units: ['d', 'h', 'min', 's', 'ms', 'µs'], stateClasses: ['measurement', 'total', 'total_increasing'] },
  temperature: { units: ['°C', '°F', 'K'], stateClasses: ['measurement'] },
  humidity: { units: ['%'], stateClasses: ['measurement'] },
  battery: { units: ['%'], stateClasses: ['measurement'] },
  illuminance: { units: ['lx'], stateClasses: ['measurement'] },
  // An instant: no unit, no state class (the value is ISO 8601 with its offset).
  timestamp: { units: [], stateClasses: [] },
};
export const STATE_CLASSES = new Set(['measurement', 'measurement_angle', 'total', 'total_increasing']);

export const COLOR_MODES = new Set(['onoff', 'brightness', 'color_temp', 'hs', 'xy', 'rgb', 'rgbw', 'rgbww', 'white']);
