/**
 * Persistent client state in `<stateDir>/state.json`: the installation's
 * terminal UUID (TP-Link ties tokens and MFA trust to it, so it must never
 * change), the tokens of each cloud, and auth-failure cool-downs (so a
 * restart does not retry a wrong password and get the account locked).
 * Written atomically (temp file 0600 + rename) and kept mode 0600.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CloudName } from '../../model/node.js';
import { secrets, type Logger } from '../../logger.js';

const tokensSchema = z.looseObject({
  username: z.string(),
  token: z.string(),
  refreshToken: z.string().optional(),
  /** Kasa: V1 login was refused (-23003); use the signed V2 API. */
  v2: z.boolean().optional(),
  /** Kasa V2: the account's regional host from getAccountStatusAndUrl. */
  appServerUrl: z.string().optional(),
});

const cooldownSchema = z.object({
  /** ms since epoch. */
  until: z.number(),
  reason: z.enum(['auth_failed', 'account_locked', 'mfa_required']),
  /** sha256 of cloud+username+password: a changed config lifts the cool-down. */
  configHash: z.string(),
});

const pendingMfaSchema = z.object({
  username: z.string(),
  processId: z.string(),
  mfaType: z.number(),
  appServerUrl: z.string().optional(),
});

const stateSchema = z.object({
  version: z.literal(1),
  terminalUUID: z.string(),
  tokens: z.object({ kasa: tokensSchema.optional(), tapo: tokensSchema.optional() }).default({}),
  cooldown: z.object({ kasa: cooldownSchema.optional(), tapo: cooldownSchema.optional() }).default({}),
  pendingMfa: z.object({ kasa: pendingMfaSchema.optional(), tapo: pendingMfaSchema.optional() }).default({}),
});

export type CloudTokens = z.infer<typeof tokensSchema>;
export type AuthCooldown = z.infer<typeof cooldownSchema>;
export type PendingMfa = z.infer<typeof pendingMfaSchema>;
type State = z.infer<typeof stateSchema>;

export const STATE_FILE = 'state.json';

/** Hash identifying the credentials, never the password itself. */
export function credentialsHash(cloud: CloudName, username: string, password: string): string {
  return createHash('sha256').update(`${cloud}\u0000${username}\u0000${password}`).digest('hex');
}

/** stateDir cannot be created or written: the bridge would lose its installation id and tokens. */
export class StateDirError extends Error {
  override name = 'StateDirError';
  readonly code: string | undefined;

  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(`stateDir ${dir} is not writable (${typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.code = typeof code === 'string' ? code : undefined;
  }
}

export class TokenStore {
  readonly dir: string;
  readonly file: string;
  readonly #log: Logger | undefined;
  #state: State | undefined;

  /** `logger` hears about a damaged state file (kept aside, see #load). */
  constructor(stateDir: string, logger?: Logger) {
    this.dir = stateDir;
    this.file = join(stateDir, STATE_FILE);
    this.#log = logger;
  }

  /**
   * Creates stateDir if needed and proves it can be written (a probe file
   * written and removed); throws StateDirError naming it otherwise. Run at
   * start-up, so a read-only volume stops the bridge with one clear line
   * instead of running with nothing saved.
   */
  ensureWritable(): void {
    const probe = join(this.dir, `.write-test.${process.pid}`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(probe, '', { mode: 0o600 });
      unlinkSync(probe);
      this.#load();
    } catch (error) {
      if (error instanceof StateDirError) throw error;
      throw new StateDirError(this.dir, error);
    }
  }

  /** Installation id, created on first use and kept forever. */
  get terminalUUID(): string {
    return this.#load().terminalUUID;
  }

  /** Saved tokens of a cloud, only when they were issued to this username. */
  getTokens(cloud: CloudName, username: string): CloudTokens | undefined {
    const tokens = this.#load().tokens[cloud];
    return tokens && tokens.username === username ? tokens : undefined;
  }

  setTokens(cloud: CloudName, tokens: CloudTokens): void {
    secrets.add(tokens.token);
    secrets.add(tokens.refreshToken);
    this.#mutate((state) => {
      state.tokens[cloud] = tokens;
    });
  }

  clearTokens(cloud: CloudName): void {
    this.#mutate((state) => {
      delete state.tokens[cloud];
    });
  }

  getCooldown(cloud: CloudName): AuthCooldown | undefined {
    return this.#load().cooldown[cloud];
  }

  setCooldown(cloud: CloudName, cooldown: AuthCooldown): void {
    this.#mutate((state) => {
      state.cooldown[cloud] = cooldown;
    });
  }

  clearCooldown(cloud: CloudName): void {
    if (!this.#load().cooldown[cloud]) return;
    this.#mutate((state) => {
      delete state.cooldown[cloud];
    });
  }

  getPendingMfa(cloud: CloudName, username: string): PendingMfa | undefined {
    const pending = this.#load().pendingMfa[cloud];
    return pending && pending.username === username ? pending : undefined;
  }

  setPendingMfa(cloud: CloudName, pending: PendingMfa | undefined): void {
    this.#mutate((state) => {
      if (pending) state.pendingMfa[cloud] = pending;
      else delete state.pendingMfa[cloud];
    });
  }

  #load(): State {
    if (this.#state) return this.#state;
    let state: State | undefined;
    if (existsSync(this.file)) {
      try {
        state = stateSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
      } catch {
        // A damaged file must not stop the bridge, nor vanish without a word:
        // it is kept aside so the installation id can be put back by hand.
        this.#keepAside();
        state = undefined;
      }
    }
    if (!state) {
      state = { version: 1, terminalUUID: randomUUID(), tokens: {}, cooldown: {}, pendingMfa: {} };
      this.#state = state;
      this.#write();
    }
    this.#state = state;
    for (const tokens of [state.tokens.kasa, state.tokens.tapo]) {
      secrets.add(tokens?.token);
      secrets.add(tokens?.refreshToken);
    }
    return state;
  }

  #keepAside(): void {
    const aside = `${this.file}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(this.file, aside);
    } catch (error) {
      throw new StateDirError(this.dir, error);
    }
    this.#log?.warn(
      { file: aside },
      `${STATE_FILE} was damaged and is kept aside as ${aside}: starting with a new installation id, so TP-Link sees a new phone (a two-factor account asks for a code again: run "tplink-cloud-mqtt login") and any saved login pause is gone. To keep the old id, repair that file and put it back as ${STATE_FILE}.`,
    );
  }

  #mutate(change: (state: State) => void): void {
    change(this.#load());
    this.#write();
  }

  /** Synchronous on purpose: one writer per process, no interleaving between clients. */
  #write(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(this.#state, null, 2)}\n`, { mode: 0o600 });
      // The mode given to writeFileSync is masked by the umask; make sure.
      chmodSync(temp, 0o600);
      renameSync(temp, this.file);
    } catch (error) {
      if (existsSync(temp)) unlinkSync(temp);
      throw error;
    }
  }
}
