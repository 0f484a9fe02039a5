import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/clouds/common/http.js';
import { KasaClient } from '../../src/clouds/kasa/client.js';
import { createLogger, SecretRegistry, silentLogger } from '../../src/logger.js';
import { DEFAULT_CLOUD, FAST_RETRY, removeDir, simulator, tempStateDir, TokenStore } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('extra CA file', () => {
  it.skipIf(!hasOpenssl())('trusts a private CA given as caFile, and refuses the host without it', async () => {
    const dir = tempStateDir();
    dirs.push(dir);
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
      stdio: 'ignore',
    });
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"error_code":0}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const trusting = new HttpClient({ cloud: 'kasa', timeoutMs: 2000, logger: silentLogger(), caFile: cert });
      expect((await trusting.request({ method: 'POST', url, json: {} })).body).toEqual({ error_code: 0 });
      await trusting.close();
      const plain = new HttpClient({ cloud: 'kasa', timeoutMs: 2000, logger: silentLogger() });
      await expect(plain.request({ method: 'POST', url, json: {} })).rejects.toMatchObject({
        kind: 'protocol',
        message: expect.stringMatching(/certificate not trusted .*kasa\.caFile/),
      });
      await plain.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('logs', () => {
  it('never carry the password, tokens or query strings, even at trace level over V2', async () => {
    const sim = await simulator({ v2Only: true });
    const stateDir = tempStateDir();
    dirs.push(stateDir);
    let output = '';
    const logger = createLogger({ level: 'trace', pretty: false, destination: { write: (line: string) => (output += line) }, registry: new SecretRegistry() });
    const store = new TokenStore(stateDir);
    const kasa = new KasaClient({
      config: { enabled: true, username: sim.username, password: sim.password, url: sim.urls.kasa.url, v2Url: sim.urls.kasa.v2Url, appVersion: '3.4.451', caFile: '' },
      cloud: DEFAULT_CLOUD,
      store,
      logger,
      retry: FAST_RETRY,
    });
    try {
      const list = await kasa.getDeviceList();
      const plug = list.find((device) => device.status === 1 && device.deviceType.startsWith('IOT.'));
      if (plug) await kasa.passthrough(plug, { system: { get_sysinfo: null } });
      sim.expireTokens();
      await kasa.getDeviceList();
    } finally {
      await kasa.close();
      await sim.close();
    }
    const tokens = store.getTokens('kasa', sim.username);
    expect(output).toContain('cloud request');
    expect(output).toContain('token refreshed');
    for (const secret of [sim.password, tokens?.token, tokens?.refreshToken]) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/token=/);
    expect(output).not.toMatch(/\?appName/);
  });
});
