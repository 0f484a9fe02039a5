/**
 * What each command is, which settings it reads and which flags it takes:
 * the source of `--help` and of the unknown-flag check. The commands'
 * code lives elsewhere and is imported only when that command runs.
 */
import type { CommandSpec, SettingGroup } from './help.js';

export const HEALTH_TIMEOUT_S = 5;

const CLOUD_SETTINGS: readonly SettingGroup[] = ['kasa', 'tapo', 'cloud', 'stateDir', 'log'];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    summary: 'Run the bridge (the default command)',
    usage: '[options]',
    description:
      'Logs in to the configured Kasa and/or Tapo accounts, polls every device and bridges them to MQTT\n' +
      '(Home Assistant discovery, state, set commands) until SIGINT or SIGTERM. Without mqtt.url it starts\n' +
      'an embedded broker. Stops with one line naming the problem when the configuration is wrong, the\n' +
      'broker cannot be reached or every configured account refuses to log in.',
    settings: ['mqtt', 'embeddedBroker', 'homeassistant', 'kasa', 'tapo', 'poll', 'firmware', 'rateLimit', 'cloud', 'commands', 'stateDir', 'log', 'devices'],
    flags: [],
  },
  {
    name: 'demo',
    summary: 'Simulated Kasa + Tapo cloud, embedded broker and bridge in one process',
    usage: '[options]',
    description:
      'Starts the built-in simulated cloud (a few devices of every family), the bridge and, unless\n' +
      'mqtt.url is set, the embedded broker, then prints mosquitto_sub / mosquitto_pub lines to try.\n' +
      'No TP-Link account is used. Its state (the installation id) is kept in <stateDir>/demo, so\n' +
      'repeated demos on one broker are one bridge device in Home Assistant; nothing goes to the\n' +
      'temporary folder. On an external broker its retained topics stay after Ctrl+C, so Home\n' +
      'Assistant keeps the demo devices between runs; --clean removes them on exit. Needs a\n' +
      'development install (npm ci in a clone of the repository: the simulator is not part of the\n' +
      'npm package or image).',
    settings: ['mqtt', 'embeddedBroker', 'homeassistant', 'poll', 'firmware', 'rateLimit', 'commands', 'stateDir', 'log'],
    flags: [{ flag: '--clean', doc: "On exit, remove the demo's retained topics (discovery, states) from an external broker" }],
    // Changes made in the demo show within seconds, not half a minute.
    defaults: { 'poll.intervalS': 10 },
  },
  {
    name: 'simulate',
    summary: 'The simulated Kasa and Tapo cloud alone (for your own tests)',
    usage: '[--env | --json] [options]',
    description:
      'Runs the simulated cloud on loopback and prints one JSON line with its URLs, username and\n' +
      'password (--json, the default). With --env it starts in the background and prints the export\n' +
      'lines that point the bridge at it: eval "$(tplink-cloud-mqtt simulate --env)" && tplink-cloud-mqtt run\n' +
      'Needs a development install (npm ci in a clone); its other flags are the tplink-cloud-sim package\'s.',
    settings: [],
    // The simulator package parses and documents its own flags (`simulate --help`); these two
    // choose what the bridge's `simulate` prints.
    flags: [
      { flag: '--json', doc: 'One JSON line with the URLs, username and password (the default)' },
      { flag: '--env', doc: 'Start in the background; print export lines for the bridge' },
    ],
  },
  {
    name: 'login',
    summary: 'Log in to the configured clouds and save the tokens (two-factor accounts)',
    usage: '[--code CODE] [options]',
    description:
      'Logs in to every configured account now, even during a login pause after a refusal, and saves\n' +
      'the tokens in stateDir for `run`. When the Kasa account asks for a two-factor code, the code\n' +
      'sent by e-mail is asked for on the terminal (or given with --code). `run` never asks.',
    settings: CLOUD_SETTINGS,
    flags: [{ flag: '--code', value: 'CODE', doc: 'The two-factor code, when there is no terminal to ask on' }],
  },
  {
    name: 'devices',
    summary: 'List every device of both clouds',
    usage: '[--json] [options]',
    description:
      'Reads the configured accounts the way `run` does and prints one row per device and outlet: its\n' +
      'node id (the key a `devices` override in the config file takes), topic name, name, model, kind,\n' +
      'cloud and whether it is online. --json prints JSON only (the shape of bridge/devices); logs go to stderr.',
    settings: CLOUD_SETTINGS,
    flags: [{ flag: '--json', doc: 'Print JSON instead of a table' }],
  },
  {
    name: 'health',
    summary: 'Ask the running bridge whether it is healthy (Docker HEALTHCHECK)',
    usage: '[--timeout-s N] [--json] [options]',
    description:
      'Connects to the broker the bridge uses (mqtt.url, else the embedded broker on embeddedBroker.port),\n' +
      'sends bridge/request/health_check and prints one line. Exit 0: the bridge answered, is connected\n' +
      'and no account refuses to log in. Exit 1: it did not answer, or a problem is named.',
    settings: ['mqtt', 'embeddedBroker', 'log'],
    flags: [
      { flag: '--timeout-s', value: 'N', doc: 'Seconds to wait for the broker and the answer', default: String(HEALTH_TIMEOUT_S) },
      { flag: '--json', doc: "Print the bridge's whole answer as JSON" },
    ],
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}
