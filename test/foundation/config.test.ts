import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, cloudActive, loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/temp.js';

function tempFile(name: string, content: string): string {
  const dir = tempDir('tpcm-config-');
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('configuration precedence', () => {
  it('uses schema defaults and config/default.json with nothing else given', () => {
    const config = loadConfig({ args: [], env: {} });
    expect(config.mqtt.baseTopic).toBe('tplink');
    expect(config.mqtt.url).toBe('');
    expect(config.embeddedBroker).toEqual({ host: '127.0.0.1', port: 1883, maxPacketSize: 4_194_304 });
    expect(config.homeassistant.discovery).toBe('device');
    expect(config.poll.intervalS).toBe(30);
    expect(config.poll.listIntervalS).toBe(600);
    expect(config.stateDir).not.toContain('~');
  });

  it('orders defaults < config file < env < CLI flag', () => {
    const file = tempFile('c.json', JSON.stringify({ mqtt: { baseTopic: 'fromfile', clientId: 'file-id' }, poll: { intervalS: 11 } }));
    const fileOnly = loadConfig({ args: ['--config', file], env: {} });
    expect(fileOnly.mqtt.baseTopic).toBe('fromfile');
    expect(fileOnly.poll.intervalS).toBe(11);

    const withEnv = loadConfig({ args: ['--config', file], env: { TPCM_MQTT_BASE_TOPIC: 'fromenv' } });
    expect(withEnv.mqtt.baseTopic).toBe('fromenv');
    expect(withEnv.mqtt.clientId).toBe('file-id');

    const withArg = loadConfig({
      args: ['--config', file, '--mqtt-base-topic', 'fromarg'],
      env: { TPCM_MQTT_BASE_TOPIC: 'fromenv' },
    });
    expect(withArg.mqtt.baseTopic).toBe('fromarg');
    expect(withArg.poll.intervalS).toBe(11);
  });

  it('takes per-node overrides from a config file, keyed by node id, and refuses malformed ones', () => {
    const good = tempFile('d.json', JSON.stringify({ devices: { kasa_8006ABC: { name: 'garage_heater' }, tapo_80ff: {} } }));
    expect(loadConfig({ args: ['--config', good], env: {} }).devices).toEqual({ kasa_8006ABC: { name: 'garage_heater' }, tapo_80ff: {} });
    const bad = tempFile('e.json', JSON.stringify({ devices: { kasa_8006ABC: { name: 7 } } }));
    expect(() => loadConfig({ args: ['--config', bad], env: {} })).toThrow(/devices: entry "kasa_8006ABC" must be \{"name": "<topic name>"\}/);
  });

  it('finds the config file through TPCM_CONFIG', () => {
    const file = tempFile('c.json', JSON.stringify({ log: { level: 'debug' } }));
    expect(loadConfig({ args: [], env: { TPCM_CONFIG: file } }).log.level).toBe('debug');
  });

  it('reads passwords from *_FILE (docker secrets), trimming the final newline', () => {
    const secretFile = tempFile('kasa', 'hunter22\n');
    const config = loadConfig({ args: [], env: { KASA_USERNAME: 'me@example.com', KASA_PASSWORD_FILE: secretFile } });
    expect(config.kasa.password).toBe('hunter22');
    expect(cloudActive(config, 'kasa')).toBe(true);
    expect(cloudActive(config, 'tapo')).toBe(false);
  });

  it('lets an explicit password win over its _FILE', () => {
    const secretFile = tempFile('tapo', 'fromfile');
    const config = loadConfig({ args: [], env: { TAPO_PASSWORD: 'direct', TAPO_PASSWORD_FILE: secretFile } });
    expect(config.tapo.password).toBe('direct');
  });
});

describe('configuration errors', () => {
  const cases: [string, { args?: string[]; env?: NodeJS.ProcessEnv }, RegExp][] = [
    ['a bad URL', { args: ['--kasa-url', 'ftp://example.com'] }, /^kasa\.url: must be an http\(s\) URL/],
    ['a negative interval', { env: { TPCM_POLL_INTERVAL_S: '-5' } }, /^poll\.intervalS: must be a number greater than 0/],
    ['an unknown discovery mode', { args: ['--homeassistant-discovery', 'both'] }, /^homeassistant\.discovery: /],
    ['a wildcard in the base topic', { args: ['--mqtt-base-topic', 'a/#'] }, /^mqtt\.baseTopic: must not contain/],
    ['an out-of-range port', { env: { TPCM_EMBEDDED_BROKER_PORT: '70000' } }, /^embeddedBroker\.port: /],
    ['a bad MQTT URL', { args: ['--mqtt-url', 'http://broker'] }, /^mqtt\.url: must be empty or/],
    ['a bad log level', { args: ['--log-level', 'loud'] }, /^log\.level: /],
    ['a username without password', { env: { KASA_USERNAME: 'a@b.c' } }, /^kasa\.password: must be set/],
    ['an MQTT username without password (embedded broker)', { env: { MQTT_USERNAME: 'bridge' } }, /^mqtt\.password: must be set when mqtt\.username is set/],
    ['a too small broker packet limit', { env: { TPCM_EMBEDDED_BROKER_MAX_PACKET_SIZE: '0' } }, /^embeddedBroker\.maxPacketSize: /],
    ['an unreadable password file', { env: { TAPO_PASSWORD_FILE: '/nonexistent/secret' } }, /^tapo\.password: cannot read TAPO_PASSWORD_FILE/],
  ];

  it.each(cases)('names the option on %s, in one line', (_label, input, pattern) => {
    let caught: unknown;
    try {
      loadConfig({ args: input.args ?? [], env: input.env ?? {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it('refuses an empty MQTT password file (a mis-mounted secret) for the embedded broker, not for an external one', () => {
    const empty = tempFile('empty-secret', '');
    const env = { MQTT_USERNAME: 'bridge', MQTT_PASSWORD_FILE: empty };
    expect(() => loadConfig({ args: [], env })).toThrow(/^mqtt\.password: must be set/);
    expect(loadConfig({ args: ['--mqtt-url', 'mqtt://127.0.0.1:1883'], env }).mqtt.username).toBe('bridge');
  });

  it('rejects unknown keys in a config file', () => {
    const file = tempFile('c.json', JSON.stringify({ mqtt: { bogus: 1 } }));
    expect(() => loadConfig({ args: ['--config', file], env: {} })).toThrow(/mqtt\.bogus/);
  });

  it('reports a missing config file', () => {
    expect(() => loadConfig({ args: ['--config', '/nonexistent.json'], env: {} })).toThrow(ConfigError);
  });

  it('never puts a password into an error message', () => {
    const file = tempFile('c.json', JSON.stringify({ kasa: { password: 'sup3r-s3cret', url: 'nope' } }));
    expect(() => loadConfig({ args: ['--config', file], env: {} })).toThrow(/^kasa\.url/);
    try {
      loadConfig({ args: ['--config', file], env: {} });
    } catch (error) {
      expect(String(error)).not.toContain('sup3r-s3cret');
    }
  });
});
