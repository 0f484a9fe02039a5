/**
 * The `simulate` command's flags with their defaults: parsed by cli.ts,
 * printed by `simulate --help`. Light on purpose (no simulator import).
 */
import { DEFAULT_FAULTS, DEFAULT_SEED, DEFAULT_USERNAME } from './defaults.js';

/** Standalone runs may serve benchmarks for hours: the request log stays bounded. */
export const STANDALONE_RECORD_LIMIT = 10_000;

/** One flag as `--help` prints it (the same shape as the bridge's own command flags). */
export interface FlagHelp {
  /** Long form, with the dashes: `--devices`. */
  flag: string;
  /** Placeholder of its value; absent for a switch. */
  value?: string;
  doc: string;
  /** As printed after "default:". */
  default?: string;
}

export const SIMULATE_FLAGS: readonly FlagHelp[] = [
  { flag: '--fixtures', value: 'DIR', doc: 'Load every Kasa/Tapo fixture under DIR (the format of ../shared/fixtures)' },
  { flag: '--devices', value: 'N', doc: 'Add N synthetic devices, 60 % Kasa and 40 % Tapo (neither flag: the built-in demo devices)', default: '0' },
  { flag: '--latency-ms', value: 'N', doc: 'Delay every answer', default: String(DEFAULT_FAULTS.latencyMs) },
  { flag: '--token-ttl-s', value: 'N', doc: 'Token lifetime (0: never expires)', default: String(DEFAULT_FAULTS.tokenTtlS) },
  { flag: '--seed', value: 'N', doc: 'Seed for device ids, the password and random choices', default: String(DEFAULT_SEED) },
  { flag: '--host', value: 'HOST', doc: 'Listen address (loopback addresses only)', default: '127.0.0.1' },
  { flag: '--username', value: 'EMAIL', doc: 'Account e-mail', default: DEFAULT_USERNAME },
  { flag: '--password', value: 'TEXT', doc: 'Account password', default: 'derived from --seed, printed at start' },
  { flag: '--error-rate', value: 'R', doc: 'Probability 0..1 that an answer is replaced by an injected fault', default: String(DEFAULT_FAULTS.errorRate) },
  { flag: '--error-kinds', value: 'LIST', doc: 'Comma list of the faults to inject', default: DEFAULT_FAULTS.errorKinds.join(',') },
  { flag: '--rate-limit', value: 'N', doc: 'Requests per second per cloud before rate-limit errors (0: off)', default: String(DEFAULT_FAULTS.rateLimitPerSecond) },
  { flag: '--shadow-delay-ms', value: 'N', doc: 'Delay before a Tapo desired state shows up as reported', default: String(DEFAULT_FAULTS.shadowApplyDelayMs) },
  { flag: '--record-limit', value: 'N', doc: 'Keep about N recorded requests', default: String(STANDALONE_RECORD_LIMIT) },
  { flag: '--v2-only', doc: 'V1 Kasa login answers -23003 (app version too old): only V2 works' },
  { flag: '--mfa', doc: 'Kasa V2 and Tapo logins need the second factor (the code is printed on stderr)' },
  { flag: '--tapo-v1-only', doc: 'Tapo as the old seed describes it: no signed V2 login, no /v2/things, no app-server discovery' },
  { flag: '--tapo-v2-only', doc: 'The V1 Tapo login answers -23003 (app version too old): only the signed V2 login works' },
  { flag: '--tls-cert', value: 'FILE', doc: 'Serve https with this PEM chain (leaf first, then intermediates); needs --tls-key' },
  { flag: '--tls-key', value: 'FILE', doc: 'The PEM key of --tls-cert' },
];
