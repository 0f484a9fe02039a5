/**
 * A device-list answer that does not parse never removes devices: one
 * getDeviceList whose entries did not validate once removed 19 devices,
 * their retained topics and their discovery for 10 minutes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../src/clouds/common/http.js';
import { KasaSource } from '../../src/clouds/kasa/source.js';
import { TapoSource } from '../../src/clouds/tapo/source.js';
import { CloudQueue } from '../../src/commands/queue.js';
import { silentLogger } from '../../src/logger.js';
import type { Simulator } from 'tplink-cloud-sim';
import { captureLogger, type CapturedLogger } from './helpers.js';
import { kasaClient, removeDir, simulator, tapoClient, tempStateDir, TokenStore } from '../cloud/helpers.js';

/** Damages list entries on the way back: `mode` says which. */
class Garbler extends HttpClient {
  mode: 'none' | 'half' | 'all' = 'none';

  override async request(req: HttpRequest): Promise<HttpResponse> {
    const answer = await super.request(req);
    const isKasaList = (req.json as { method?: unknown } | undefined)?.method === 'getDeviceList';
    const isTapoList = /\/v[12]\/things$/.test(req.url);
    if (this.mode === 'none' || (!isKasaList && !isTapoList)) return answer;
    const body = structuredClone(answer.body) as { result?: { deviceList?: unknown[] }; data?: unknown[] };
    const list = isKasaList ? body.result?.deviceList : body.data;
    list?.forEach((entry, index) => {
      if (this.mode === 'all' || index % 2 === 0) list[index] = { ...(entry as object), deviceType: 42, thingName: 42, deviceId: 7 };
    });
    return { ...answer, body };
  }
}

let sim: Simulator;
let stateDir: string;
let captured: CapturedLogger;
const warnings = (): string[] => captured.lines.filter((line) => line.includes('"level":40'));
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  sim = await simulator({ devices: 12 });
  stateDir = tempStateDir();
  captured = captureLogger('warn');
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await sim.close();
  removeDir(stateDir);
});

function queue(): CloudQueue {
  return new CloudQueue({ ttlMs: 10_000, logger: silentLogger() });
}

describe('device lists that do not parse', () => {
  it.each(['kasa', 'tapo'] as const)('%s: bad entries are skipped with a warning and their devices kept; no valid entry is a failed read', async (cloud) => {
    const fetcher = new Garbler({ cloud, timeoutMs: 5000, logger: silentLogger() });
    const store = new TokenStore(stateDir);
    const logger = captured.logger;
    const options = { fetcher, cloud: { retryDeadlineS: 0.2 }, logger };
    const source =
      cloud === 'kasa'
        ? new KasaSource(kasaClient(sim, store, options), queue(), logger)
        : new TapoSource(tapoClient(sim, store, options), queue(), logger);
    closers.push(() => source.close());
    const ids = (await source.list()).map((node) => node.id).sort();
    expect(ids.length).toBeGreaterThan(3);

    fetcher.mode = 'half';
    expect((await source.list()).map((node) => node.id).sort()).toEqual(ids);
    expect(warnings().some((line) => /skipping a .* entry that does not parse/.test(line))).toBe(true);
    expect(warnings().some((line) => /device\(s\) kept as they were/.test(line))).toBe(true);

    fetcher.mode = 'all';
    await expect(source.list()).rejects.toMatchObject({ kind: 'protocol', message: expect.stringContaining('none of its') });

    fetcher.mode = 'none';
    expect((await source.list()).map((node) => node.id).sort()).toEqual(ids);
  });
});
