/**
 * TP-Link's CAs: built in for TP-Link's hosts, an intermediate trusted as an
 * anchor by itself (root withheld), verification never off. Proven against
 * the simulator on https with its own chain built the same way.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'tplink-cloud-sim';
import { isTplinkHost, TPLINK_CAS, TPLINK_CLOUD_SERVER_CA } from '../../src/clouds/common/tplink-cas.js';
import { createLogger } from '../../src/logger.js';
import { startHarness } from '../bridge/harness.js';
import { removeDir, tapoClient, tempStateDir, TokenStore } from './helpers.js';
import { hasOpenssl, privateChain, type PrivateChain } from './tls-chain.js';

describe('built-in TP-Link CAs', () => {
  it('are the published certificates, the Cloud Server CA with its pinned fingerprint', () => {
    const certs = TPLINK_CAS.flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
    expect(certs.map((cert) => cert.subject.match(/CN=([^\n]+)/)?.[1])).toEqual(['TP-Link Cloud Server CA', 'TP-LINK CA P1', 'tp-link-CA']);
    expect(certs.every((cert) => cert.ca)).toBe(true);
    expect(new X509Certificate(TPLINK_CLOUD_SERVER_CA).fingerprint256).toBe(
      '28:86:05:72:D5:DC:7E:9D:76:70:20:92:E4:16:4A:BA:E8:CA:73:A9:00:FC:40:3D:89:41:C2:2F:B6:91:B9:0E',
    );
    expect(createHash('sha256').update(new X509Certificate(TPLINK_CLOUD_SERVER_CA).raw).digest('hex')).toMatch(/^288605/);
  });

  it('are trusted for TP-Link hosts only', () => {
    for (const host of ['n-wap.i.tplinkcloud.com', 'n-wap-gw.tplinkcloud.com', 'euw1-app-server.iot.i.tplinknbu.com', 'wap.tplinkcloud.com']) {
      expect(isTplinkHost(host), host).toBe(true);
    }
    for (const host of ['127.0.0.1', 'example.com', 'tplinkcloud.com.evil.example', 'nottplinkcloud.com']) expect(isTplinkHost(host), host).toBe(false);
  });
});

describe.skipIf(!hasOpenssl())('a cloud on a private CA chain (root withheld)', () => {
  let dir: string;
  let chain: PrivateChain;
  let sim: Simulator;
  const dirs: string[] = [];

  beforeAll(async () => {
    dir = tempStateDir();
    chain = privateChain(dir);
    sim = await startSimulator({ seed: 7, tls: chain.tls });
  });

  afterAll(async () => {
    await sim.close();
    removeDir(dir);
    dirs.forEach(removeDir);
  });

  it('verifies with the intermediate alone as the anchor: the whole Tapo flow over https', async () => {
    expect(sim.urls.tapo.accountUrl).toMatch(/^https:/);
    const stateDir = tempStateDir();
    dirs.push(stateDir);
    const tapo = tapoClient(sim, new TokenStore(stateDir), { caFile: chain.intermediateFile });
    try {
      expect((await tapo.listThings()).length).toBeGreaterThan(0);
      expect(tapo.usesV2).toBe(true);
    } finally {
      await tapo.close();
    }
  });

  it('refuses a host signed by an unknown CA with a clear line, and does not retry', async () => {
    const stateDir = tempStateDir();
    dirs.push(stateDir);
    sim.clearRequests();
    // A refused handshake never reaches the simulator's request log: the client's own debug lines count the attempts.
    const attempts: string[] = [];
    const logger = createLogger({ level: 'debug', pretty: false, destination: { write: (line: string) => attempts.push(line) } });
    const tapo = tapoClient(sim, new TokenStore(stateDir), { caFile: chain.strangerFile, logger });
    try {
      await expect(tapo.listThings()).rejects.toMatchObject({
        kind: 'protocol',
        message: expect.stringMatching(/^tapo: POST https:\/\/127\.0\.0\.1:\d+\/api\/v2\/account\/getAccountStatusAndUrl: certificate not trusted \(\w+\): .*set tapo\.caFile/),
      });
      expect(sim.requests).toHaveLength(0);
      expect(attempts.filter((line) => line.includes('"msg":"cloud request failed"'))).toHaveLength(1);
    } finally {
      await tapo.close();
    }
  });

  it('through MQTT: the bridge publishes both clouds over https with the intermediate as caFile', async () => {
    // Four devices (two per cloud, on both regional hosts): the chain is the point here, not the device set.
    const small = await startSimulator({ seed: 7, tls: chain.tls, devices: 4, builtin: false });
    try {
      const h = await startHarness({ simulator: small, config: { kasa: { caFile: chain.intermediateFile }, tapo: { caFile: chain.intermediateFile } } });
      try {
        const info = await h.waitForMessage('tplink/bridge/info');
        expect(JSON.parse(info.payload)).toMatchObject({ clouds: { kasa: { status: 'ok' }, tapo: { status: 'ok' } } });
        expect(small.urls.kasa.url).toMatch(/^https:/);
        const tapoNode = h.bridge.store.ofCloud('tapo').find((node) => node.online);
        if (!tapoNode) throw new Error('no Tapo node');
        await h.waitFor(() => h.lastJson(`tplink/${h.nameOf(tapoNode.id)}`) !== undefined, 3000, 'Tapo state');
      } finally {
        await h.close();
      }
    } finally {
      await small.close();
    }
  });
});
