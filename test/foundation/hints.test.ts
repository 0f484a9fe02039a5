/**
 * The one-line explanations: each failure names its cause and the setting
 * or command that fixes it (the CLI tests drive the common ones end to end).
 */
import { describe, expect, it, vi } from 'vitest';
import { CloudError } from '../../src/clouds/common/errors.js';
import { ConfigError } from '../../src/config/load.js';
import { LoginRefusedError, startupFailure } from '../../src/cli/hints.js';
import { LOGIN_COMMAND_HINT, loginRefusalHint } from '../../src/clouds/common/login-refusal.js';
import { EmbeddedBrokerError } from '../../src/mqtt/broker.js';
import { MqttConnectError } from '../../src/mqtt/client.js';

const lineOf = (error: unknown) => startupFailure(error)?.lines.join('\n');

describe('start-up failures', () => {
  it('a configuration mistake exits 2, everything else 1', () => {
    expect(startupFailure(new ConfigError('poll.intervalS: must be a number greater than 0'))).toEqual({
      lines: ['configuration error: poll.intervalS: must be a number greater than 0'],
      exitCode: 2,
    });
    expect(startupFailure(new MqttConnectError('unreachable', 'mqtt://b:1883', 'getaddrinfo ENOTFOUND b', 30_000))?.exitCode).toBe(1);
    expect(startupFailure(new Error('something else'))).toBeUndefined();
  });

  it('broker: unreachable, refused, TLS', () => {
    expect(lineOf(new MqttConnectError('unreachable', 'mqtt://b:1883', 'getaddrinfo ENOTFOUND b', 30_000))).toBe(
      'cannot reach the MQTT broker at mqtt://b:1883 (getaddrinfo ENOTFOUND b) within 30 s. Start the broker, or fix mqtt.url (TPCM_MQTT_URL, --mqtt-url); leave it empty to use the embedded broker. To wait longer, raise mqtt.startupTimeoutS.',
    );
    expect(lineOf(new MqttConnectError('refused', 'mqtt://b:1883', 'Connection refused: Not authorized'))).toMatch(/refused the login \(Connection refused: Not authorized\)\. Check mqtt\.username/);
    expect(lineOf(new MqttConnectError('tls', 'mqtts://b:8883', 'self-signed certificate'))).toMatch(/^TLS to the MQTT broker at mqtts:\/\/b:8883 failed \(self-signed certificate\)\. Give the CA .* mqtt\.ca \(TPCM_MQTT_CA\)/);
  });

  it('embedded broker: port taken, no permission, no such address', () => {
    const error = (code: string) => new EmbeddedBrokerError('0.0.0.0', 1883, Object.assign(new Error(`listen ${code}`), { code }));
    expect(lineOf(error('EADDRINUSE'))).toMatch(/cannot listen on 0\.0\.0\.0:1883: the port is already in use/);
    expect(lineOf(error('EACCES'))).toMatch(/permission denied \(ports below 1024 need root\)/);
    expect(lineOf(error('EADDRNOTAVAIL'))).toMatch(/this machine has no such address/);
  });

  it('every configured account refused: one line per cloud', () => {
    const refused = new LoginRefusedError([loginRefusalHint('kasa', 'account_locked'), loginRefusalHint('tapo', 'mfa_required')]);
    expect(startupFailure(refused)?.lines).toEqual([
      'kasa: login refused: the account is locked, usually after too many failed logins. Wait until TP-Link unlocks it (or reset the password in the app), then restart.',
      `tapo: login needs a two-factor code: ${LOGIN_COMMAND_HINT}.`,
    ]);
  });
});

describe('login refusals', () => {
  it('name the code and the pause when the cloud gave them, the pause as its end and the time left', () => {
    vi.useFakeTimers({ now: new Date('2026-12-02T03:00:00.400Z') });
    try {
      const error = new CloudError('tapo', 'auth_failed', 'tapo: login refused (-20601)', { code: -20601, retryAfterS: 1800 });
      expect(loginRefusalHint('tapo', 'auth_failed', error)).toBe(
        'tapo: login refused: wrong e-mail or password (-20601). Fix TAPO_USERNAME / TAPO_PASSWORD (or TAPO_PASSWORD_FILE; tapo.username / tapo.password in a config file). No new login is tried before 2026-12-02T03:30:00Z (1800 s left; cloud.authCooldownS) unless the credentials change.',
      );
      // Ten minutes later, a restart in the same pause: the same end, less time left.
      vi.setSystemTime(new Date('2026-12-02T03:10:00.400Z'));
      const paused = new CloudError('tapo', 'auth_failed', 'tapo: login refused; not logging in again for 1200 s', { retryAfterS: 1200 });
      expect(loginRefusalHint('tapo', 'auth_failed', paused)).toMatch(/No new login is tried before 2026-12-02T03:30:00Z \(1200 s left; cloud\.authCooldownS\)/);
    } finally {
      vi.useRealTimers();
    }
  });
});
