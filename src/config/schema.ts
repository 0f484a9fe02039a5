/**
 * The settings schema. Every option documents itself (doc, format, env var,
 * CLI flag); README's configuration table is generated from this file by
 * `npm run docs:config`, and a test fails when the table is stale.
 */
import type { Schema } from 'convict';
import type { AppConfig } from './types.js';

export type { AppConfig, DeviceOverride } from './types.js';

const MQTT_URL = /^(mqtts?|tcp|tls|wss?):\/\/[^\s]+$/;

function optionalUrl(protocols: RegExp, hint: string) {
  return (value: unknown): void => {
    if (typeof value !== 'string') throw new Error('must be a string');
    if (value !== '' && !protocols.test(value)) throw new Error(`must be empty or ${hint}`);
  };
}

function httpUrl(value: unknown): void {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/.test(value)) {
    throw new Error('must be an http(s) URL');
  }
}

function appVersion(value: unknown): void {
  if (typeof value !== 'string' || !/^\d+(\.\d+){1,3}$/.test(value)) throw new Error('must be a version such as 3.4.451');
}

function topicSegment(value: unknown): void {
  if (typeof value !== 'string' || value === '') throw new Error('must be a non-empty string');
  if (/[+#\u0000-\u001f]/.test(value) || value.startsWith('/') || value.endsWith('/')) {
    throw new Error('must not contain + # or control characters, nor start or end with /');
  }
}

function positive(value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error('must be a number greater than 0');
  }
}

/** At least an hour: TP-Link throttled its cloud in 2024 when clients asked for firmware too often. */
function firmwareInterval(value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new Error('must be a number of hours, 1 or more');
  }
}

function nonNegative(value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error('must be a number of 0 or more');
  }
}

/** true, false or 'auto' (the words too: variables and flags arrive as text). */
export function booleanOrAuto(value: unknown): void {
  if (value === true || value === false || value === 'auto' || value === 'true' || value === 'false') return;
  throw new Error('must be true, false or auto');
}

export const schema: Schema<AppConfig> = {
  mqtt: {
    url: {
      doc: 'Broker URL: mqtt:// (or tcp://), mqtts:// (or tls://: TLS), ws://, wss://. Empty: start the embedded broker and use it.',
      format: optionalUrl(MQTT_URL, 'an mqtt://, mqtts://, tcp://, tls://, ws:// or wss:// URL'),
      default: '',
      env: 'TPCM_MQTT_URL',
      arg: 'mqtt-url',
    },
    username: {
      doc: 'Broker username (also required by the embedded broker when set).',
      format: String,
      default: '',
      env: 'MQTT_USERNAME',
      arg: 'mqtt-username',
    },
    password: {
      doc: 'Broker password. Or MQTT_PASSWORD_FILE: a file holding it.',
      format: String,
      default: '',
      env: 'MQTT_PASSWORD',
      sensitive: true,
    },
    baseTopic: {
      doc: 'Prefix of every topic the bridge publishes and listens to.',
      format: topicSegment,
      default: 'tplink',
      env: 'TPCM_MQTT_BASE_TOPIC',
      arg: 'mqtt-base-topic',
    },
    clientId: {
      doc: 'MQTT client id. Empty: tplink-cloud-mqtt-<installation id>, stable so the persistent session survives restarts.',
      format: String,
      default: '',
      env: 'TPCM_MQTT_CLIENT_ID',
      arg: 'mqtt-client-id',
    },
    keepaliveS: {
      doc: 'MQTT keepalive in seconds.',
      format: 'nat',
      default: 60,
      env: 'TPCM_MQTT_KEEPALIVE_S',
      arg: 'mqtt-keepalive-s',
    },
    ca: {
      doc: 'TLS: file of CA certificates that sign the broker certificate.',
      format: String,
      default: '',
      env: 'TPCM_MQTT_CA',
      arg: 'mqtt-ca',
    },
    cert: {
      doc: 'TLS: client certificate file (mutual TLS).',
      format: String,
      default: '',
      env: 'TPCM_MQTT_CERT',
      arg: 'mqtt-cert',
    },
    key: {
      doc: 'TLS: client private key file (mutual TLS).',
      format: String,
      default: '',
      env: 'TPCM_MQTT_KEY',
      arg: 'mqtt-key',
    },
    startupTimeoutS: {
      doc: 'At start-up, how long to keep trying to reach the broker before giving up with an error (it may still be starting, as under docker compose). Later disconnects are retried forever.',
      format: positive,
      default: 30,
      env: 'TPCM_MQTT_STARTUP_TIMEOUT_S',
      arg: 'mqtt-startup-timeout-s',
    },
    rejectUnauthorized: {
      doc: 'TLS: refuse a broker certificate that does not verify.',
      format: Boolean,
      default: true,
      env: 'TPCM_MQTT_REJECT_UNAUTHORIZED',
      arg: 'mqtt-reject-unauthorized',
    },
  },
  embeddedBroker: {
    host: {
      doc: 'Address the embedded broker listens on (only when mqtt.url is empty).',
      format: String,
      default: '127.0.0.1',
      env: 'TPCM_EMBEDDED_BROKER_HOST',
      arg: 'embedded-broker-host',
    },
    port: {
      doc: 'Port of the embedded broker (0 picks a free port).',
      format: 'port',
      default: 1883,
      env: 'TPCM_EMBEDDED_BROKER_PORT',
      arg: 'embedded-broker-port',
    },
    maxPacketSize: {
      doc: "Largest MQTT packet (bytes) the embedded broker accepts; a client sending a larger one is disconnected, so no single message costs more memory than this. The bridge's own bridge/devices takes about 350 bytes a device.",
      format: positive,
      default: 4_194_304,
      env: 'TPCM_EMBEDDED_BROKER_MAX_PACKET_SIZE',
      arg: 'embedded-broker-max-packet-size',
    },
  },
  homeassistant: {
    enabled: {
      doc: 'Publish Home Assistant MQTT discovery.',
      format: Boolean,
      default: true,
      env: 'TPCM_HOMEASSISTANT_ENABLED',
      arg: 'homeassistant-enabled',
    },
    prefix: {
      doc: 'Home Assistant discovery prefix.',
      format: topicSegment,
      default: 'homeassistant',
      env: 'TPCM_HOMEASSISTANT_PREFIX',
      arg: 'homeassistant-prefix',
    },
    discovery: {
      doc: 'device: one <prefix>/device/<id>/config per node; entity: one config per entity.',
      format: ['device', 'entity'],
      default: 'device',
      env: 'TPCM_HOMEASSISTANT_DISCOVERY',
      arg: 'homeassistant-discovery',
    },
    statusTopic: {
      doc: "Home Assistant's birth/will topic; 'online' there republishes discovery and state.",
      format: topicSegment,
      default: 'homeassistant/status',
      env: 'TPCM_HOMEASSISTANT_STATUS_TOPIC',
      arg: 'homeassistant-status-topic',
    },
    republishDelayS: {
      doc: "Seconds to wait after Home Assistant's birth message before republishing.",
      format: nonNegative,
      default: 1,
      env: 'TPCM_HOMEASSISTANT_REPUBLISH_DELAY_S',
      arg: 'homeassistant-republish-delay-s',
    },
  },
  kasa: {
    enabled: {
      doc: 'Use the Kasa cloud (when a username is set).',
      format: Boolean,
      default: true,
      env: 'TPCM_KASA_ENABLED',
      arg: 'kasa-enabled',
    },
    username: {
      doc: 'Kasa (TP-Link ID) account e-mail.',
      format: String,
      default: '',
      env: 'KASA_USERNAME',
      arg: 'kasa-username',
    },
    password: {
      doc: 'Kasa account password. Or KASA_PASSWORD_FILE: a file holding it.',
      format: String,
      default: '',
      env: 'KASA_PASSWORD',
      sensitive: true,
    },
    url: {
      doc: 'Kasa V1 cloud URL (login and device list).',
      format: httpUrl,
      default: 'https://wap.tplinkcloud.com',
      env: 'TPCM_KASA_URL',
      arg: 'kasa-url',
    },
    v2Url: {
      doc: 'Kasa V2 account URL (getAccountStatusAndUrl), used when V1 login is refused.',
      format: httpUrl,
      default: 'https://n-wap.tplinkcloud.com',
      env: 'TPCM_KASA_V2_URL',
      arg: 'kasa-v2-url',
    },
    appVersion: {
      doc: 'Kasa app version sent with signed V2 calls; raise it when TP-Link refuses the default as too old.',
      format: appVersion,
      default: '3.4.451',
      env: 'TPCM_KASA_APP_VERSION',
      arg: 'kasa-app-version',
    },
    caFile: {
      doc: "Extra CA certificates to trust for the Kasa cloud, beside the system store and TP-Link's built-in CAs.",
      format: String,
      default: '',
      env: 'TPCM_KASA_CA_FILE',
      arg: 'kasa-ca-file',
    },
  },
  tapo: {
    enabled: {
      doc: 'Use the Tapo cloud (when a username is set).',
      format: Boolean,
      default: true,
      env: 'TPCM_TAPO_ENABLED',
      arg: 'tapo-enabled',
    },
    username: {
      doc: 'Tapo (TP-Link ID) account e-mail.',
      format: String,
      default: '',
      env: 'TAPO_USERNAME',
      arg: 'tapo-username',
    },
    password: {
      doc: 'Tapo account password. Or TAPO_PASSWORD_FILE: a file holding it.',
      format: String,
      default: '',
      env: 'TAPO_PASSWORD',
      sensitive: true,
    },
    accountUrl: {
      doc: 'Tapo V1 account endpoint (the fallback login); the signed V2 login starts at its host.',
      format: httpUrl,
      default: 'https://n-wap-gw.tplinkcloud.com/api/v1/account',
      env: 'TPCM_TAPO_ACCOUNT_URL',
      arg: 'tapo-account-url',
    },
    appServerUrl: {
      doc: 'Tapo app server (things, shadows, services-sync) used when app-server discovery fails, until a thing names its own.',
      format: httpUrl,
      default: 'https://euw1-app-server.iot.i.tplinknbu.com',
      env: 'TPCM_TAPO_APP_SERVER_URL',
      arg: 'tapo-app-server-url',
    },
    refreshUrl: {
      doc: 'Where tokens of a V1 Tapo login are refreshed (the Kasa-style refreshToken method); V2 tokens refresh on their login host.',
      format: httpUrl,
      default: 'https://wap.tplinkcloud.com',
      env: 'TPCM_TAPO_REFRESH_URL',
      arg: 'tapo-refresh-url',
    },
    appVersion: {
      doc: 'Tapo app version sent to the signed V2 account hosts; raise it when TP-Link refuses the default as too old.',
      format: appVersion,
      default: '3.13.818',
      env: 'TPCM_TAPO_APP_VERSION',
      arg: 'tapo-app-version',
    },
    nbuAppVersion: {
      doc: 'Tapo app version sent to the app server (x-app-version).',
      format: appVersion,
      default: '3.13.818',
      env: 'TPCM_TAPO_NBU_APP_VERSION',
      arg: 'tapo-nbu-app-version',
    },
    caFile: {
      doc: "Extra CA certificates to trust for the Tapo cloud, beside the system store and TP-Link's built-in CAs.",
      format: String,
      default: '',
      env: 'TPCM_TAPO_CA_FILE',
      arg: 'tapo-ca-file',
    },
    shadowBatchSize: {
      doc: 'Things asked per shadows request.',
      format: positive,
      default: 20,
      env: 'TPCM_TAPO_SHADOW_BATCH_SIZE',
      arg: 'tapo-shadow-batch-size',
    },
    pageSize: {
      doc: 'Things asked per page of the thing list.',
      format: positive,
      default: 100,
      env: 'TPCM_TAPO_PAGE_SIZE',
      arg: 'tapo-page-size',
    },
  },
  poll: {
    intervalS: {
      doc: 'Seconds between state polls of every device.',
      format: positive,
      default: 30,
      env: 'TPCM_POLL_INTERVAL_S',
      arg: 'poll-interval-s',
    },
    listIntervalS: {
      doc: 'Seconds between device list reads (new and removed devices). TP-Link throttles frequent list reads.',
      format: positive,
      default: 600,
      env: 'TPCM_POLL_LIST_INTERVAL_S',
      arg: 'poll-list-interval-s',
    },
    energyIntervalS: {
      doc: 'Seconds between energy reads (HS300 outlets, Tapo services-sync).',
      format: positive,
      default: 60,
      env: 'TPCM_POLL_ENERGY_INTERVAL_S',
      arg: 'poll-energy-interval-s',
    },
    settingsIntervalS: {
      doc: 'Seconds between reads of device settings (LED, auto-off, protection, cloud connection...); also read at start, on get and after a change from the bridge.',
      format: positive,
      default: 600,
      env: 'TPCM_POLL_SETTINGS_INTERVAL_S',
      arg: 'poll-settings-interval-s',
    },
  },
  firmware: {
    checkIntervalH: {
      doc: 'Hours between firmware checks of each device (spread at random, never at a poll; TP-Link throttles clients that ask too often); also on bridge/request/device/firmware_check.',
      format: firmwareInterval,
      default: 12,
      env: 'TPCM_FIRMWARE_CHECK_INTERVAL_H',
      arg: 'firmware-check-interval-h',
    },
    allowInstall: {
      doc: "Let Home Assistant's Install (the update entity's command, or `install` on set/firmware) install the latest firmware on a Tapo device. false: the update entity only shows versions, and an install is refused.",
      format: Boolean,
      default: true,
      env: 'TPCM_FIRMWARE_ALLOW_INSTALL',
      arg: 'firmware-allow-install',
    },
    progressIntervalS: {
      doc: "Seconds between reads of an install's progress while one runs (download, flashing, the reboot into the new version).",
      format: positive,
      default: 5,
      env: 'TPCM_FIRMWARE_PROGRESS_INTERVAL_S',
      arg: 'firmware-progress-interval-s',
    },
  },
  rateLimit: {
    kasaPerSecond: {
      doc: 'Most HTTP requests per second to the Kasa cloud, every one counted (retries, logins, token renewals); commands go before polls (0: unlimited).',
      format: nonNegative,
      default: 5,
      env: 'TPCM_RATE_LIMIT_KASA_PER_SECOND',
      arg: 'rate-limit-kasa-per-second',
    },
    tapoPerSecond: {
      doc: 'Most HTTP requests per second to the Tapo cloud, every one counted (retries, logins, paging, version retries); commands go before polls (0: unlimited).',
      format: nonNegative,
      default: 5,
      env: 'TPCM_RATE_LIMIT_TAPO_PER_SECOND',
      arg: 'rate-limit-tapo-per-second',
    },
  },
  cloud: {
    requestTimeoutS: {
      doc: 'Timeout of one cloud HTTP request.',
      format: positive,
      default: 10,
      env: 'TPCM_CLOUD_REQUEST_TIMEOUT_S',
      arg: 'cloud-request-timeout-s',
    },
    retryDeadlineS: {
      doc: 'How long transient cloud errors are retried (exponential backoff with jitter).',
      format: nonNegative,
      default: 20,
      env: 'TPCM_CLOUD_RETRY_DEADLINE_S',
      arg: 'cloud-retry-deadline-s',
    },
    authCooldownS: {
      doc: 'After a wrong password or a locked account, seconds before the next login attempt.',
      format: positive,
      default: 1800,
      env: 'TPCM_CLOUD_AUTH_COOLDOWN_S',
      arg: 'cloud-auth-cooldown-s',
    },
  },
  commands: {
    ttlS: {
      doc: 'A command not carried out within this many seconds is reported as command_failed.',
      format: positive,
      default: 60,
      env: 'TPCM_COMMANDS_TTL_S',
      arg: 'commands-ttl-s',
    },
    minIntervalS: {
      doc: 'Least time between two cloud requests for one device; commands arriving sooner are merged (the latest value wins) and sent when it has passed.',
      format: nonNegative,
      default: 0.5,
      env: 'TPCM_COMMANDS_MIN_INTERVAL_S',
      arg: 'commands-min-interval-s',
    },
    confirmDelayS: {
      doc: 'Seconds after a command before its state is read back to confirm it.',
      format: nonNegative,
      default: 2,
      env: 'TPCM_COMMANDS_CONFIRM_DELAY_S',
      arg: 'commands-confirm-delay-s',
    },
  },
  stateDir: {
    doc: 'Folder for tokens and the installation id (kept mode 0600).',
    format: String,
    default: '~/.local/state/tplink-cloud-mqtt',
    env: 'TPCM_STATE_DIR',
    arg: 'state-dir',
  },
  log: {
    level: {
      doc: 'Log level.',
      format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      env: 'TPCM_LOG_LEVEL',
      arg: 'log-level',
    },
    pretty: {
      doc: 'Human-readable logs instead of JSON lines. auto: human-readable when standard output is a terminal, JSON lines otherwise (files, Docker, systemd).',
      format: booleanOrAuto,
      default: 'auto',
      env: 'TPCM_LOG_PRETTY',
      arg: 'log-pretty',
    },
  },
  devices: {
    doc: 'Per-node overrides, by node id: {"kasa_<id>": {"name": "garage_heater"}} sets its topic name.',
    // Object (not a custom check): convict then takes the file's value whole instead of
    // looking each node id up as a schema key. loadConfig checks the entries.
    format: Object,
    default: {},
  },
};

/** Options whose `<ENV>_FILE` variant reads the value from a file (docker secrets). */
/** The entries of `devices`; a message naming the bad entry, or undefined. */
export function deviceOverridesProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of {"<node id>": {"name": "<topic name>"}}';
  }
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof entry !== 'object' || entry === null || (name !== undefined && typeof name !== 'string')) {
      return `entry "${id}" must be {"name": "<topic name>"}`;
    }
  }
  return undefined;
}

export const SECRET_OPTIONS = ['mqtt.password', 'kasa.password', 'tapo.password'] as const;

/** One setting of the schema, as the CLI help, README's table and the tests read it. */
export interface SettingLeaf {
  /** `mqtt.url`; a top-level setting is its own group: `stateDir`. */
  path: string;
  group: keyof AppConfig;
  doc: string;
  default: unknown;
  format: unknown;
  env: string | undefined;
  arg: string | undefined;
  sensitive: boolean;
}

interface RawLeaf {
  doc?: string;
  default: unknown;
  format?: unknown;
  env?: string;
  arg?: string;
  sensitive?: boolean;
}

function isLeaf(node: unknown): node is RawLeaf {
  return typeof node === 'object' && node !== null && 'default' in node;
}

function leaf(path: string, group: keyof AppConfig, raw: RawLeaf): SettingLeaf {
  return { path, group, doc: raw.doc ?? '', default: raw.default, format: raw.format, env: raw.env, arg: raw.arg, sensitive: raw.sensitive === true };
}

/** Every setting in schema order. */
export function settingLeaves(): SettingLeaf[] {
  return (Object.keys(schema) as (keyof AppConfig)[]).flatMap((group): SettingLeaf[] => {
    const node: unknown = schema[group];
    if (isLeaf(node)) return [leaf(group, group, node)];
    return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => (isLeaf(value) ? [leaf(`${group}.${key}`, group, value)] : []));
  });
}
