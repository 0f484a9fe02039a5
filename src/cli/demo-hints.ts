/**
 * What `demo` prints to try: mosquitto_sub / mosquitto_pub lines that name
 * the broker the demo really uses (host and port, so they work from any
 * shell), commands that visibly change something, and a health command
 * that runs from any folder (the installed bin, else this very program).
 */
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AppConfig } from '../config/load.js';
import type { DeviceNode } from '../model/node.js';
import { PACKAGE_NAME } from '../version.js';

/** A word as a POSIX shell reads it back. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface BrokerAddress {
  host: string;
  port: number;
  /** Extra mosquitto client options (TLS). */
  extra: string[];
}

const LOOPBACK_FOR_ANY = ['0.0.0.0', '::', ''];

/** Where mosquitto_sub / mosquitto_pub reach the demo's broker. */
export function brokerAddress(config: AppConfig, embeddedPort: number | undefined): BrokerAddress {
  if (config.mqtt.url === '') {
    const host = LOOPBACK_FOR_ANY.includes(config.embeddedBroker.host) ? '127.0.0.1' : config.embeddedBroker.host;
    return { host, port: embeddedPort ?? config.embeddedBroker.port, extra: [] };
  }
  const url = new URL(config.mqtt.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'tls:' || url.protocol === 'wss:';
  const port = url.port === '' ? (tls ? 8883 : 1883) : Number(url.port);
  const extra = tls ? (config.mqtt.ca ? ['--cafile', config.mqtt.ca] : ['--capath', '/etc/ssl/certs']) : [];
  if (config.mqtt.username) extra.push('-u', config.mqtt.username, '-P', '<password>');
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, extra };
}

/** The PATH entry for `name` that is an executable file, if any. */
function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    try {
      return realpathSync(join(dir, name));
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * How to run this program again from any folder: its bin name when that is
 * what PATH finds (npm install -g), else node with this script's absolute path.
 */
export function selfCommand(process_: Pick<NodeJS.Process, 'argv' | 'execArgv' | 'env'> = process): string {
  const script = process_.argv[1];
  if (script === undefined) return PACKAGE_NAME;
  const real = (() => {
    try {
      return realpathSync(script);
    } catch {
      return script;
    }
  })();
  if (onPath(PACKAGE_NAME, process_.env.PATH) === real) return PACKAGE_NAME;
  return ['node', ...portableExecArgv(process_.execArgv), real].map(shellQuote).join(' ');
}

/**
 * Node resolves `--import <package>` from the current folder: give the
 * absolute URL instead (as under `--import tsx` in development), so the
 * command also works from another folder.
 */
function portableExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const word = execArgv[i] ?? '';
    const inline = word.startsWith('--import=') ? word.slice('--import='.length) : undefined;
    const spec = inline ?? (word === '--import' ? execArgv[i + 1] : undefined);
    if (spec === undefined) {
      out.push(word);
      continue;
    }
    if (inline === undefined) i++;
    out.push('--import', bare(spec) ? resolvedOr(spec) : spec);
  }
  return out;
}

const bare = (spec: string): boolean => !/^(\.{0,2}\/|file:|data:|node:)/.test(spec);

function resolvedOr(spec: string): string {
  try {
    return import.meta.resolve(spec);
  } catch {
    return spec;
  }
}

export interface DemoHintInput {
  config: AppConfig;
  broker: BrokerAddress;
  nodes: readonly DeviceNode[];
  nameOf: (id: string) => string | undefined;
  deviceCount: number;
  /** This program, as selfCommand() gives it. */
  self: string;
}

/** The text printed once the demo runs. */
export function demoHints(input: DemoHintInput): string {
  const { config, broker, nodes, nameOf } = input;
  const base = config.mqtt.baseTopic;
  const at = ['-h', broker.host, '-p', String(broker.port), ...broker.extra].map(shellQuote).join(' ');
  const topicOf = (wanted: (node: DeviceNode) => boolean): string => {
    const found = nodes.find(wanted);
    return (found && nameOf(found.id)) ?? '<name>';
  };
  const plug = topicOf((node) => node.kind === 'plug');
  const bulb = topicOf((node) => node.features !== undefined && 'brightness' in node.features && node.kind === 'bulb');
  // An outlet that is OFF is switched ON (and the other way round): something visibly changes.
  const outletNode = nodes.find((node) => node.kind === 'outlet' && node.state.state === 'OFF') ?? nodes.find((node) => node.kind === 'outlet');
  const outlet = (outletNode && nameOf(outletNode.id)) ?? '<name>';
  const outletPayload = outletNode && outletNode.state.state === 'ON' ? 'OFF' : 'ON';
  const health = [input.self, 'health'];
  if (config.mqtt.url === '') {
    health.push('--embedded-broker-port', String(broker.port));
    if (config.embeddedBroker.host !== '127.0.0.1') health.push('--embedded-broker-host', broker.host);
  } else {
    // Never credentials: health reads MQTT_USERNAME / MQTT_PASSWORD like the bridge.
    const url = new URL(config.mqtt.url);
    url.username = '';
    url.password = '';
    health.push('--mqtt-url', shellQuote(url.toString().replace(/\/$/, '')));
  }
  if (base !== 'tplink') health.push('--mqtt-base-topic', shellQuote(base));
  const t = (topic: string) => `'${topic.replace(/'/g, `'\\''`)}'`;
  return `
Demo running: ${input.deviceCount} simulated devices and outlets on MQTT.

  Watch everything:   mosquitto_sub ${at} -t ${t(`${base}/#`)} -v
  Switch a device:    mosquitto_pub ${at} -t ${t(`${base}/${plug}/set`)} -m 'TOGGLE'
  Switch an outlet:   mosquitto_pub ${at} -t ${t(`${base}/${outlet}/set`)} -m '${outletPayload}'
  Dim a bulb:         mosquitto_pub ${at} -t ${t(`${base}/${bulb}/set`)} -m '{"state":"ON","brightness":40}'
  Ask for a refresh:  mosquitto_pub ${at} -t ${t(`${base}/bridge/request/refresh`)} -m '{"transaction":1}'
  Device list:        mosquitto_sub ${at} -t ${t(`${base}/bridge/devices`)} -C 1
  Health:             ${health.join(' ')}

Press Ctrl+C to stop.
`;
}
