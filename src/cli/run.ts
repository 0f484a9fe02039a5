/**
 * `tplink-cloud-mqtt run`: the bridge until SIGINT/SIGTERM, then a graceful
 * stop (queued commands finish or fail visibly, offline published).
 */
import { setFlagsFromString } from 'node:v8';
import { Bridge } from '../runtime/bridge.js';
import { ConfigError, cloudActive, type AppConfig } from '../config/load.js';
import { LoginRefusedError, NO_ACCOUNT_HINT } from './hints.js';
import { isLoginRefusal, loginRefusalHint } from '../clouds/common/login-refusal.js';
import type { Logger } from '../logger.js';

/** docker stop waits 10 s before SIGKILL; finish well before (the CLI then exits even with timers pending). */
const STOP_DEADLINE_MS = 8_000;

export async function runCommand(config: AppConfig, logger: Logger): Promise<number> {
  requireAccount(config);
  favourMemory();
  guardProcess(logger);
  const bridge = new Bridge(config, logger);
  // Listen before starting: a first read of a large account can take minutes,
  // and docker stop during it must still shut down cleanly.
  const signal = untilSignal(logger);
  let started: boolean;
  try {
    started = await Promise.race([bridge.start().then(() => true), signal.then(() => false)]);
  } catch (error) {
    // Broker unreachable, port taken...: close whatever did start, then let the CLI explain.
    await bridge.stop().catch(() => undefined);
    throw error;
  }
  if (started) {
    const refusals = everyAccountRefused(bridge);
    if (refusals) {
      await stopWithin(bridge, logger);
      throw new LoginRefusedError(refusals);
    }
    await signal;
  }
  return stopWithin(bridge, logger);
}

/** A bridge without any account has nothing to do: say so instead of idling. */
function requireAccount(config: AppConfig): void {
  if (cloudActive(config, 'kasa') || cloudActive(config, 'tapo')) return;
  throw new ConfigError(NO_ACCOUNT_HINT);
}

/**
 * The hint for each cloud when every configured one refused to log in at
 * start-up; undefined when at least one works (the bridge then runs on,
 * the refused cloud's devices unavailable and its problem logged).
 * Exiting is safe under a restart policy: the login pause is saved, so a
 * restarted bridge does not try the refused password again.
 */
function everyAccountRefused(bridge: Bridge): string[] | undefined {
  const hints: string[] = [];
  for (const source of bridge.sources.values()) {
    const status = source.status();
    if (!isLoginRefusal(status)) return undefined;
    hints.push(bridge.cloudProblems.get(source.cloud) ?? loginRefusalHint(source.cloud, status));
  }
  return hints.length > 0 ? hints : undefined;
}

/**
 * A bridge idles between poll cycles: let V8 collect garbage sooner rather
 * than grow its heap. At 1,000 devices this roughly halves peak RSS for a
 * small CPU cost (README, Performance).
 *
 * The young generation keeps its starting size instead of doubling up to
 * 16 MB a half under a burst of reads (every poll cycle at 1,000 devices
 * without a rate limit): that growth alone put ~15 MB on the peak RSS
 * (bench: 159-161 -> 136-147 MB) and the Docker image's
 * `--max-semi-space-size=4` cannot reach a user who runs node without it.
 * V8 reads this flag each time it would grow the space, so setting it at
 * run time works; the limit itself is fixed when the process starts.
 */
export function favourMemory(): void {
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Keeps the process alive on a stray rejection: log it, never crash unattended. */
export function guardProcess(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection (bridge keeps running)');
  });
}

export function untilSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function stopWithin(bridge: Bridge, logger: Logger): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_DEADLINE_MS);
  });
  const result = await Promise.race([bridge.stop().then(() => 'stopped' as const), deadline]);
  clearTimeout(timer);
  if (result === 'timeout') {
    logger.error('shutdown took too long; exiting');
    return 1;
  }
  return 0;
}
