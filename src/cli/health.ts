/**
 * `tplink-cloud-mqtt health`: asks the running bridge over MQTT, the way
 * zigbee2mqtt users do (`bridge/request/health_check`), so a pass proves
 * more than a live process: the broker is reachable, the bridge is
 * subscribed and answering, and no account refuses to log in.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { HEALTH_TIMEOUT_S } from './commands.js';
import { UsageError } from './flags.js';
import type { AppConfig } from '../config/load.js';
import { bridgeTopic } from '../mqtt/topics.js';
import { z } from 'zod';
import { HealthResponse, RequestBody } from '../runtime/api.js';
import { secrets } from '../logger.js';

/** The answer on `bridge/response/health_check` (runtime/api.ts). */
export type HealthAnswer = HealthResponse;

export interface HealthReport {
  healthy: boolean;
  /** One line for a person (or Docker's health log). */
  line: string;
  answer?: HealthAnswer;
}

/** The broker the bridge uses: its configured URL, else its embedded broker. */
export function brokerUrl(config: AppConfig): string | undefined {
  if (config.mqtt.url !== '') return config.mqtt.url;
  if (config.embeddedBroker.port === 0) return undefined;
  // The embedded broker may listen on every interface; this process is on the same host.
  const host = ['0.0.0.0', '::', ''].includes(config.embeddedBroker.host) ? '127.0.0.1' : config.embeddedBroker.host;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${config.embeddedBroker.port}`;
}

export function clientOptions(config: AppConfig, timeoutMs: number): IClientOptions {
  const options: IClientOptions = {
    clientId: `tplink-cloud-mqtt-health-${randomBytes(4).toString('hex')}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    rejectUnauthorized: config.mqtt.rejectUnauthorized,
  };
  if (config.mqtt.username) Object.assign(options, { username: config.mqtt.username, password: config.mqtt.password });
  if (config.mqtt.ca) options.ca = readFileSync(config.mqtt.ca);
  if (config.mqtt.cert) options.cert = readFileSync(config.mqtt.cert);
  if (config.mqtt.key) options.key = readFileSync(config.mqtt.key);
  return options;
}

function describeAnswer(answer: HealthAnswer): HealthReport {
  if (answer.status !== 'ok') return { healthy: false, line: `unhealthy: the bridge answered with an error: ${answer.error}`, answer };
  const data = answer.data;
  const clouds = Object.entries(data.clouds).map(([cloud, status]) => `${cloud} ${status}`);
  const facts = [...(clouds.length > 0 ? clouds : ['no cloud']), `${data.device_count} devices`];
  if (data.last_poll_at) facts.push(`last poll ${data.last_poll_at}`);
  const problems = Object.values(data.problems);
  if (data.healthy) return { healthy: true, line: `healthy: ${facts.join(', ')}`, answer };
  const why = problems.length > 0 ? problems.join(' | ') : 'the bridge is not connected to its broker';
  return { healthy: false, line: `unhealthy: ${facts.join(', ')}: ${why}`, answer };
}

async function ask(client: MqttClient, base: string, timeoutMs: number): Promise<HealthAnswer | 'timeout'> {
  const transaction = `health-${randomBytes(6).toString('hex')}`;
  const responseTopic = bridgeTopic(base, 'response/health_check');
  const answer = new Promise<HealthAnswer | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    client.on('message', (topic, payload) => {
      if (topic !== responseTopic) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        return; // someone else's garbage on the topic: keep waiting for ours
      }
      // Ours by its transaction; then it must be a health answer (runtime/api.ts).
      if (RequestBody.safeParse(parsed).data?.transaction !== transaction) return;
      clearTimeout(timer);
      const result = HealthResponse.safeParse(parsed);
      resolve(result.success ? result.data : { status: 'error', data: {}, error: `an answer this version cannot read (${z.prettifyError(result.error).slice(0, 200)})`, transaction });
    });
  });
  await client.subscribeAsync(responseTopic, { qos: 1 });
  await client.publishAsync(bridgeTopic(base, 'request/health_check'), JSON.stringify({ transaction }), { qos: 1 });
  return answer;
}

/** Asks the bridge; never throws: every failure is an unhealthy report. */
export async function checkHealth(config: AppConfig, timeoutMs: number): Promise<HealthReport> {
  const url = brokerUrl(config);
  if (!url) return { healthy: false, line: 'unhealthy: embeddedBroker.port is 0 (a random port), so the bridge cannot be found: set embeddedBroker.port' };
  const started = Date.now();
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(url, clientOptions(config, timeoutMs));
  } catch (error) {
    const detail = secrets.scrub(error instanceof Error ? error.message : String(error));
    return { healthy: false, line: `unhealthy: cannot reach the MQTT broker at ${url} (${detail})` };
  }
  try {
    const answer = await ask(client, config.mqtt.baseTopic, Math.max(0, timeoutMs - (Date.now() - started)));
    if (answer === 'timeout') {
      const request = bridgeTopic(config.mqtt.baseTopic, 'request/health_check');
      return { healthy: false, line: `unhealthy: the bridge did not answer ${request} within ${Math.round(timeoutMs / 1000)} s (is it running, and on this broker and base topic?)` };
    }
    return describeAnswer(answer);
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

export interface HealthIo {
  stdout: { write(text: string): unknown };
}

export async function healthCommand(args: string[], config: AppConfig, io: HealthIo = { stdout: process.stdout }): Promise<number> {
  const { values } = parseArgs({ args, strict: false, allowPositionals: true, options: { 'timeout-s': { type: 'string' }, json: { type: 'boolean' } } });
  const timeoutS = typeof values['timeout-s'] === 'string' ? Number(values['timeout-s']) : HEALTH_TIMEOUT_S;
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('health: --timeout-s needs a number of seconds greater than 0');
  const report = await checkHealth(config, timeoutS * 1000);
  io.stdout.write(values.json === true ? `${JSON.stringify(report.answer ?? { healthy: false, line: report.line })}\n` : `${report.line}\n`);
  return report.healthy ? 0 : 1;
}
