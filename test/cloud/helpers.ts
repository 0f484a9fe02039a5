/**
 * Shared set-up for the cloud tests: a simulator on loopback, a throw-away
 * state folder, and clients with short timeouts and fast backoff.
 */
import { rmSync } from 'node:fs';
import { loadConfig, type AppConfig } from '../../src/config/load.js';
import { KasaClient } from '../../src/clouds/kasa/client.js';
import { TapoClient } from '../../src/clouds/tapo/client.js';
import { TokenStore } from '../../src/clouds/common/token-store.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { HttpClient } from '../../src/clouds/common/http.js';
import { startSimulator, type RecordedRequest, type Simulator, type SimulatorOptions } from 'tplink-cloud-sim';
import type { RetryOptions } from '../../src/clouds/common/retry.js';
import { tempDir } from '../helpers/temp.js';
import { simulatorEnv } from '../../src/cli/simulate-env.js';

export const FAST_RETRY: Partial<RetryOptions> = { baseMs: 10, maxMs: 80 };

export interface CloudSettings {
  requestTimeoutS: number;
  retryDeadlineS: number;
  authCooldownS: number;
}

export const DEFAULT_CLOUD: CloudSettings = { requestTimeoutS: 2, retryDeadlineS: 3, authCooldownS: 600 };

export function tempStateDir(): string {
  return tempDir('tpcm-cloud-');
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 7, ...options });
}

/**
 * A full configuration pointing at the simulator, loaded the way the CLI
 * loads it. No rate limit: these tests are about what a command prints and
 * stores, and at the default 5 a second `devices` spent seconds pacing its
 * reads (test/reliability/rate-limit.test.ts measures the limit).
 */
export function configFor(sim: Simulator, stateDir: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    args: [],
    env: {
      ...simulatorEnv(sim),
      TPCM_STATE_DIR: stateDir,
      TPCM_CLOUD_REQUEST_TIMEOUT_S: '2',
      TPCM_CLOUD_RETRY_DEADLINE_S: '3',
      TPCM_RATE_LIMIT_KASA_PER_SECOND: '0',
      TPCM_RATE_LIMIT_TAPO_PER_SECOND: '0',
      TPCM_LOG_LEVEL: 'silent',
      ...overrides,
    },
  });
}

export function kasaClient(
  sim: Simulator,
  store: TokenStore,
  options: { password?: string; username?: string; cloud?: Partial<CloudSettings>; retry?: Partial<RetryOptions>; fetcher?: HttpClient; logger?: Logger } = {},
): KasaClient {
  return new KasaClient({
    ...(options.fetcher ? { fetcher: options.fetcher } : {}),
    config: {
      enabled: true,
      username: options.username ?? sim.username,
      password: options.password ?? sim.password,
      url: sim.urls.kasa.url,
      v2Url: sim.urls.kasa.v2Url,
      appVersion: '3.4.451',
      caFile: '',
    },
    cloud: { ...DEFAULT_CLOUD, ...options.cloud },
    store,
    logger: options.logger ?? silentLogger(),
    retry: { ...FAST_RETRY, ...options.retry },
  });
}

export function tapoClient(
  sim: Simulator,
  store: TokenStore,
  options: {
    password?: string;
    cloud?: Partial<CloudSettings>;
    retry?: Partial<RetryOptions>;
    shadowBatchSize?: number;
    pageSize?: number;
    caFile?: string;
    /** Replace the HTTP layer (a garbling wrapper around the real one). */
    fetcher?: HttpClient;
    logger?: Logger;
  } = {},
): TapoClient {
  return new TapoClient({
    ...(options.fetcher ? { fetcher: options.fetcher } : {}),
    config: {
      enabled: true,
      username: sim.username,
      password: options.password ?? sim.password,
      accountUrl: sim.urls.tapo.accountUrl,
      appServerUrl: sim.urls.tapo.appServerUrl,
      refreshUrl: sim.urls.tapo.refreshUrl,
      appVersion: '3.13.818',
      nbuAppVersion: '3.13.818',
      caFile: options.caFile ?? '',
      shadowBatchSize: options.shadowBatchSize ?? 20,
      pageSize: options.pageSize ?? 100,
    },
    cloud: { ...DEFAULT_CLOUD, ...options.cloud },
    store,
    logger: options.logger ?? silentLogger(),
    retry: { ...FAST_RETRY, ...options.retry },
  });
}

/** Requests of one cloud API name ("login", "refreshToken", "v2.login", "shadows.get"...). */
export function calls(sim: Simulator, api: string, cloud?: 'kasa' | 'tapo'): RecordedRequest[] {
  return sim.requests.filter((request) => request.api === api && (cloud === undefined || request.cloud === cloud));
}

/** Every login-like call (V1, V2, Tapo, MFA check). */
export function loginCalls(sim: Simulator, cloud?: 'kasa' | 'tapo'): RecordedRequest[] {
  return sim.requests.filter(
    (request) =>
      (cloud === undefined || request.cloud === cloud) &&
      ['login', 'v2.login', 'v2.checkMFACodeAndLogin'].includes(request.api),
  );
}

export { TokenStore };
