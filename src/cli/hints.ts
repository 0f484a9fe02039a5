/**
 * What to tell a person when something they control is wrong: one line that
 * names the cause and the setting (config key, environment variable, flag)
 * or command that fixes it. The CLI prints these at start-up, `health`
 * reports them, and README's Troubleshooting quotes them (a test keeps the
 * quotes in step with the code). A cloud's login refusals, which the bridge
 * also logs at run time, are explained in clouds/common/login-refusal.ts.
 * Nothing here may carry a secret: inputs are error kinds, codes and URLs
 * already stripped of credentials.
 */
import { ConfigError } from '../config/load.js';
import { EmbeddedBrokerError } from '../mqtt/broker.js';
import { MqttConnectError } from '../mqtt/client.js';
import { StateDirError } from '../clouds/common/token-store.js';

/** No account at all: `run`, `login` and `devices` say the same. */
export const NO_ACCOUNT_HINT =
  'no cloud account configured: set KASA_USERNAME and KASA_PASSWORD and/or TAPO_USERNAME and TAPO_PASSWORD (or kasa.* / tapo.* in a config file); "tplink-cloud-mqtt demo" runs without one';

/** Every cloud this run was configured for refused to log in: nothing left to bridge. */
export class LoginRefusedError extends Error {
  override name = 'LoginRefusedError';

  constructor(readonly hints: string[]) {
    super(hints.join('\n'));
  }
}

function brokerHint(error: MqttConnectError): string {
  switch (error.failure) {
    case 'unreachable':
      return `cannot reach the MQTT broker at ${error.url} (${error.detail}) within ${Math.round((error.waitedMs ?? 0) / 1000)} s. Start the broker, or fix mqtt.url (TPCM_MQTT_URL, --mqtt-url); leave it empty to use the embedded broker. To wait longer, raise mqtt.startupTimeoutS.`;
    case 'refused':
      return `the MQTT broker at ${error.url} refused the login (${error.detail}). Check mqtt.username / mqtt.password (MQTT_USERNAME, MQTT_PASSWORD or MQTT_PASSWORD_FILE).`;
    case 'tls':
      return `TLS to the MQTT broker at ${error.url} failed (${error.detail}). Give the CA that signed its certificate with mqtt.ca (TPCM_MQTT_CA), client certificates with mqtt.cert / mqtt.key, or use mqtt:// for a plain connection.`;
  }
}

function embeddedBrokerHint(error: EmbeddedBrokerError): string {
  const where = `${error.host}:${error.port}`;
  const why =
    error.code === 'EADDRINUSE'
      ? 'the port is already in use (another MQTT broker?)'
      : error.code === 'EACCES'
        ? 'permission denied (ports below 1024 need root)'
        : error.code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : (error.cause instanceof Error ? error.cause.message : error.message);
  return `the embedded MQTT broker cannot listen on ${where}: ${why}. Choose another embeddedBroker.port (TPCM_EMBEDDED_BROKER_PORT, --embedded-broker-port) or embeddedBroker.host, or set mqtt.url to use the broker that is already there.`;
}

/**
 * The one line (or one per cloud) for an error that stops the CLI at start-up,
 * with the exit code: 2 for a configuration mistake, 1 otherwise.
 * undefined: not a failure we know how to explain (the CLI prints its message).
 */
export function startupFailure(error: unknown): { lines: string[]; exitCode: number } | undefined {
  if (error instanceof ConfigError) return { lines: [`configuration error: ${error.message}`], exitCode: 2 };
  if (error instanceof MqttConnectError) return { lines: [brokerHint(error)], exitCode: 1 };
  if (error instanceof EmbeddedBrokerError) return { lines: [embeddedBrokerHint(error)], exitCode: 1 };
  if (error instanceof LoginRefusedError) return { lines: error.hints, exitCode: 1 };
  if (error instanceof StateDirError) {
    return { lines: [`${error.message}: the bridge keeps its installation id and tokens there. Make it writable for this user, or set stateDir (TPCM_STATE_DIR, --state-dir).`], exitCode: 1 };
  }
  return undefined;
}
