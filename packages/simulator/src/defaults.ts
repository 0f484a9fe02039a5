/**
 * The simulator's defaults, in a module of their own so `simulate --help`
 * can print them without loading the simulator.
 */
import type { FaultOptions } from './types.js';

export const DEFAULT_FAULTS: Readonly<FaultOptions> = {
  latencyMs: 0,
  tokenTtlS: 0,
  errorRate: 0,
  errorKinds: ['http500', 'busy', 'timeout', 'reset', 'malformed', 'schema'],
  rateLimitPerSecond: 0,
  wrongPassword: false,
  lockAfterFailures: 0,
  v2Only: false,
  mfaRequired: false,
  tapoV1Only: false,
  tapoV2Only: false,
  shadowApplyDelayMs: 0,
};

export const DEFAULT_USERNAME = 'demo@example.com';
export const DEFAULT_SEED = 20240601;
