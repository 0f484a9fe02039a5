/**
 * examples/docker-compose.yml and mosquitto/mosquitto.conf: the environment
 * is one the bridge's configuration accepts (settings by their real names,
 * passwords from the secrets it is given), the pieces point at each other,
 * and the broker configuration runs in a real mosquitto and keeps retained
 * discovery across a restart, as its comments promise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentVariables, loadConfig, secretVariables } from '../../src/config/load.js';
import { startHarness } from '../bridge/harness.js';
import { freePort } from '../reliability/helpers.js';
import { hasMosquitto } from '../reliability/mosquitto.js';
import { realClientsInstalled as realClients } from '../docs/example-clients.js';
import { BASE, EXAMPLES, readExample, ROOT } from './helpers.js';
import { tempDir } from '../helpers/temp.js';
import { show } from '../helpers/show.js';

interface Service {
  image?: string;
  build?: string | { context: string };
  restart?: string;
  depends_on?: string[] | Record<string, unknown>;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { source?: string; target: string })[];
  secrets?: (string | { source: string; target?: string })[];
  ports?: (string | number)[];
  healthcheck?: { test?: string[] | string };
  profiles?: string[];
  command?: string[] | string;
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readExample('docker-compose.yml')) as Compose;
const broker = compose.services.mosquitto as Service;
const bridge = compose.services['tplink-cloud-mqtt'] as Service;
const demo = compose.services.demo as Service;

/** The mosquitto healthcheck's argv (CMD form). */
function healthcheckArgv(): string[] {
  const test = broker.healthcheck?.test;
  expect(Array.isArray(test) && test[0] === 'CMD', 'healthcheck in CMD form').toBe(true);
  return (test as string[]).slice(1);
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((line) => line.split(/=(.*)/s, 2) as [string, string]) : Object.entries(env);
  return Object.fromEntries(pairs.map(([key, value]) => [key, value === null ? '' : show(value)]));
}

function mounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return { source: volume.source ?? '', target: volume.target };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });
}
const namedVolumeAt = (service: Service, target: string): boolean =>
  mounts(service).some((mount) => posix.normalize(`${mount.target}/`) === posix.normalize(`${target}/`) && mount.source in (compose.volumes ?? {}));

const secretEnvNames = secretVariables();

/** `directive value` lines of mosquitto.conf; a directive given twice keeps the last. */
const conf = Object.fromEntries(
  readExample('mosquitto/mosquitto.conf')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+(.*)/s, 2) as [string, string]),
);

/** ENV of the image's last stage: what the container starts with before compose adds its own. */
function imageEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  const stage = dockerfile.split(/^FROM\s/im).at(-1) ?? '';
  const pairs = [...stage.matchAll(/^ENV\s+(.+)$/gim)].flatMap((line) => (line[1] ?? '').trim().split(/\s+/));
  return Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s, 2) as [string, string]));
}

describe('docker-compose.yml', () => {
  it('has the broker and the bridge, which builds from this repository', () => {
    expect(broker.image).toBe('eclipse-mosquitto:2');
    expect(bridge).toMatchObject({ image: 'tplink-cloud-mqtt:latest', restart: 'unless-stopped' });
    const dependsOn = Array.isArray(bridge.depends_on) ? bridge.depends_on : Object.keys(bridge.depends_on ?? {});
    expect(dependsOn).toContain('mosquitto');
    const context = typeof bridge.build === 'string' ? bridge.build : bridge.build?.context;
    expect(resolve(EXAMPLES, context ?? '')).toBe(ROOT);
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    // The image carries its own HEALTHCHECK; one here would silently replace it.
    expect(bridge.healthcheck).toBeUndefined();
  });

  it('gives the bridge only settings it knows, passwords only as files', () => {
    const known = new Set(environmentVariables());
    const names = Object.keys(environment(bridge));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(known.has(name), `${name} is not a setting of the bridge`).toBe(true);
    // A password in the environment shows in `docker inspect`.
    for (const name of secretEnvNames) expect(names).not.toContain(name);
  });

  it('is an environment the bridge accepts, with passwords from its secrets', () => {
    const dir = tempDir('tpcm-compose-');
    const env = { ...imageEnv(), ...environment(bridge) };
    for (const [name, path] of Object.entries(env).filter(([key]) => key.endsWith('_FILE'))) {
      const file = join(dir, posix.basename(path));
      writeFileSync(file, `${name} secret\n`);
      env[name] = file;
    }
    const config = loadConfig({ args: [], env });
    expect(config.mqtt.url).toBe(environment(bridge).TPCM_MQTT_URL);
    for (const cloud of ['kasa', 'tapo'] as const) {
      if (config[cloud].username) expect(config[cloud].password).toBe(`${cloud.toUpperCase()}_PASSWORD_FILE secret`);
    }
    // Tokens and the installation id must outlive the container.
    expect(config.stateDir).toBe('/data');
    expect(namedVolumeAt(bridge, config.stateDir)).toBe(true);
  });

  it('reads every password file from a secret it is granted, kept out of git', () => {
    const granted = (bridge.secrets ?? []).map((secret) =>
      typeof secret === 'string' ? { name: secret, target: secret } : { name: secret.source, target: secret.target ?? secret.source },
    );
    for (const [name, path] of Object.entries(environment(bridge)).filter(([key]) => key.endsWith('_FILE'))) {
      const secret = granted.find((candidate) => posix.resolve('/run/secrets', candidate.target) === path);
      expect(secret, `${name}=${path} is no granted secret`).toBeDefined();
    }
    const inGit = existsSync(join(ROOT, '.git'));
    const ignored = (path: string): boolean => spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT }).status === 0;
    for (const { name } of granted) {
      const file = compose.secrets?.[name]?.file;
      expect(file, `secret ${name} is not defined`).toBeDefined();
      if (inGit) expect(ignored(resolve(EXAMPLES, file ?? '')), `${file} could be committed`).toBe(true);
    }
    // The folder itself must be committed, or compose has nowhere to read the files from.
    if (inGit) expect(ignored(join(EXAMPLES, 'secrets/.gitignore'))).toBe(false);
  });

  it("points the bridge at the broker's service name and listener port", () => {
    const url = new URL(environment(bridge).TPCM_MQTT_URL ?? '');
    expect(compose.services[url.hostname], `no service ${url.hostname}`).toBe(broker);
    const port = conf.listener?.split(/\s+/)[0];
    expect(url.port || '1883').toBe(port);
    expect((broker.ports ?? []).map((mapping) => show(mapping).split(':').at(-1))).toContain(port);
  });

  it('mounts mosquitto.conf where the image reads it and persists to a volume', () => {
    const config = mounts(broker).find((mount) => mount.target === '/mosquitto/config/mosquitto.conf');
    expect(resolve(EXAMPLES, config?.source ?? '')).toBe(join(EXAMPLES, 'mosquitto/mosquitto.conf'));
    expect(conf.persistence).toBe('true');
    expect(namedVolumeAt(broker, conf.persistence_location ?? '')).toBe(true);
  });
});

describe('start order and the demo profile', () => {
  it('starts the bridge (and the demo) only once mosquitto is healthy, which its healthcheck tests', () => {
    for (const service of [bridge, demo]) expect(service.depends_on).toEqual({ mosquitto: { condition: 'service_healthy' } });
    const argv = healthcheckArgv();
    // The image's own client, on the listener, exiting once subscribed (-E) or after -W seconds.
    expect(argv[0]).toBe('mosquitto_sub');
    expect(argv).toEqual(expect.arrayContaining(['-E', '-W']));
    expect(argv[argv.indexOf('-p') + 1]).toBe(conf.listener?.split(/\s+/)[0]);
  });

  it('has a demo profile that needs no account: the demo command on this broker, no secrets', () => {
    expect(demo.profiles).toEqual(['demo']);
    // The bridge image has no simulator: the demo runs from a copy of the repository.
    const script = Array.isArray(demo.command) ? demo.command.join(' ') : (demo.command ?? '');
    expect(script).toMatch(/npm ci\b.*&& exec npm run demo -- \$\{DEMO_ARGS:-\}$/s);
    const repo = mounts(demo).find((mount) => mount.target === '/repo');
    expect(resolve(EXAMPLES, repo?.source ?? '')).toBe(ROOT);
    expect((demo.volumes ?? []).find((volume) => show(volume).startsWith('..:'))).toMatch(/:ro$/);
    expect(demo.secrets).toBeUndefined();
    const env = environment(demo);
    for (const name of Object.keys(env)) expect(environmentVariables()).toContain(name);
    for (const name of Object.keys(env)) expect(name).not.toMatch(/^(KASA|TAPO)_/);
    expect(env.TPCM_MQTT_URL).toBe(environment(bridge).TPCM_MQTT_URL);
    // The demo's installation id outlives the container: one bridge device in Home Assistant.
    expect(namedVolumeAt(demo, loadConfig({ args: [], env }).stateDir)).toBe(true);
  });

  it.skipIf(!hasMosquitto || !realClients)('the healthcheck passes against a running broker and fails without one', async () => {
    const port = await freePort();
    const argv = healthcheckArgv().map((word, i, all) => (all[i - 1] === '-p' ? show(port) : all[i - 1] === '-h' ? '127.0.0.1' : word));
    const check = () => new Promise<number | null>((done) => spawn(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' }).once('exit', done));
    expect(await check()).not.toBe(0);
    const child = spawn('mosquitto', ['-p', show(port)], { stdio: 'ignore' });
    try {
      let status: number | null = 1;
      for (let tries = 0; tries < 50 && status !== 0; tries++) {
        await new Promise((done) => setTimeout(done, 100));
        status = await check();
      }
      expect(status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});

describe.skipIf(!hasMosquitto)('mosquitto.conf in a real mosquitto', () => {
  it('serves the bridge and keeps its retained discovery and offline state across a restart', async () => {
    const dir = tempDir('tpcm-example-mosquitto-');
    const port = await freePort();
    // Only what must differ outside the container: a loopback port and a writable folder.
    const lines = readExample('mosquitto/mosquitto.conf')
      .replace(/^listener\s+\d+.*$/m, `listener ${port} 127.0.0.1`)
      .replace(/^persistence_location\s+.*$/m, `persistence_location ${dir}/`)
      .replace(/^log_dest\s+.*$/m, 'log_dest none');
    // As root mosquitto switches to its own user, which cannot write the temp folder.
    writeFileSync(join(dir, 'mosquitto.conf'), `${lines}\n${process.getuid?.() === 0 ? 'user root\n' : ''}`);
    const url = `mqtt://127.0.0.1:${port}`;
    const run = async () => {
      const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
      for (let tries = 0; ; tries += 1) {
        const ok = await mqtt.connectAsync(url, { reconnectPeriod: 0 }).then((client) => client.endAsync(), () => false);
        if (ok !== false) return child;
        if (child.exitCode !== null || tries > 100) throw new Error(`mosquitto did not start (exit ${child.exitCode})`);
        await new Promise((done) => setTimeout(done, 50));
      }
    };

    let child = await run();
    const h = await startHarness({ config: { mqtt: { url } } });
    await h.waitForMessage(`${BASE}/bridge/info`);
    const discovery = h.messages.filter((message) => message.topic.startsWith('homeassistant/')).map((message) => message.topic);
    await h.close();
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;

    child = await run();
    try {
      const client = await mqtt.connectAsync(url);
      const retained = new Map<string, string>();
      client.on('message', (topic, payload) => retained.set(topic, payload.toString('utf8')));
      await client.subscribeAsync(['homeassistant/#', `${BASE}/bridge/state`]);
      // Until every retained topic the bridge left has come back (or 5 s): the checks below say which did not.
      const back = () => retained.has(`${BASE}/bridge/state`) && discovery.every((topic) => retained.has(topic));
      for (let waited = 0; !back() && waited < 5_000; waited += 20) await new Promise((done) => setTimeout(done, 20));
      await client.endAsync();
      expect(discovery.length).toBeGreaterThan(0);
      for (const topic of discovery) expect(retained.has(topic), topic).toBe(true);
      expect(JSON.parse(retained.get(`${BASE}/bridge/state`) ?? '{}')).toEqual({ state: 'offline' });
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
