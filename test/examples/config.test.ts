/**
 * examples/config.json, the config file README shows: the bridge loads it
 * as it is (strict schema, no unknown key), with the passwords coming from
 * the environment as README advises, never from the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { EXAMPLES, readExample } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

describe('examples/config.json', () => {
  it('loads under the strict schema, passwords from *_PASSWORD_FILE', () => {
    const dir = tempDir('tpcm-config-example-');
    const secret = join(dir, 'password');
    writeFileSync(secret, 'cloud-password\n');
    const config = loadConfig({
      args: ['--config', join(EXAMPLES, 'config.json')],
      env: { KASA_PASSWORD_FILE: secret, TAPO_PASSWORD_FILE: secret, MQTT_PASSWORD_FILE: secret },
    });
    expect(config.mqtt.url).toBe('mqtt://192.168.1.10:1883');
    expect(config.kasa.password).toBe('cloud-password');
    expect(config.mqtt.password).toBe('cloud-password');
    expect(Object.keys(config.devices)).toHaveLength(1);
  });

  it('holds no password', () => {
    expect(readExample('config.json')).not.toMatch(/password/i);
  });
});
