import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsHash, StateDirError, TokenStore } from '../../src/clouds/common/token-store.js';
import { secrets, silentLogger, type Logger } from '../../src/logger.js';
import { removeDir, tempStateDir } from './helpers.js';

const dirs: string[] = [];
function dir(): string {
  const created = join(tempStateDir(), 'nested', 'state');
  dirs.push(created);
  return created;
}

afterEach(() => {
  for (const created of dirs.splice(0)) removeDir(join(created, '..', '..'));
});

describe('TokenStore', () => {
  it('creates one terminal UUID per installation and keeps it across instances', () => {
    const stateDir = dir();
    const first = new TokenStore(stateDir).terminalUUID;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new TokenStore(stateDir).terminalUUID).toBe(first);
  });

  it('writes state.json with mode 0600 in a 0700 folder, atomically (no temp file left)', () => {
    const stateDir = dir();
    const store = new TokenStore(stateDir);
    store.setTokens('kasa', { username: 'a@b.c', token: 'tok-123456', refreshToken: 'ref-123456' });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(stateDir)).toEqual(['state.json']);
    const saved = JSON.parse(readFileSync(store.file, 'utf8')) as { tokens: { kasa: { token: string } } };
    expect(saved.tokens.kasa.token).toBe('tok-123456');
  });

  it('registers tokens as secrets so logs mask them', () => {
    const store = new TokenStore(dir());
    store.setTokens('tapo', { username: 'a@b.c', token: 'secret-token-xyz', refreshToken: 'secret-refresh-xyz' });
    expect(secrets.scrub('t=secret-token-xyz r=secret-refresh-xyz')).toBe('t=[redacted] r=[redacted]');
  });

  it('binds tokens to the username', () => {
    const stateDir = dir();
    new TokenStore(stateDir).setTokens('kasa', { username: 'old@example.com', token: 'tok-abcdef' });
    const reopened = new TokenStore(stateDir);
    expect(reopened.getTokens('kasa', 'old@example.com')?.token).toBe('tok-abcdef');
    expect(reopened.getTokens('kasa', 'new@example.com')).toBeUndefined();
    expect(reopened.getTokens('tapo', 'old@example.com')).toBeUndefined();
  });

  it('keeps the auth cool-down across restarts, with a hash and never the password', () => {
    const stateDir = dir();
    const hash = credentialsHash('kasa', 'a@b.c', 'hunter2-password');
    new TokenStore(stateDir).setCooldown('kasa', { until: 123, reason: 'auth_failed', configHash: hash });
    expect(new TokenStore(stateDir).getCooldown('kasa')).toEqual({ until: 123, reason: 'auth_failed', configHash: hash });
    expect(readFileSync(join(stateDir, 'state.json'), 'utf8')).not.toContain('hunter2-password');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(credentialsHash('kasa', 'a@b.c', 'other')).not.toBe(hash);
  });

  it.each([
    ['truncated', '{"version":1,"terminalUUID":"abc'],
    ['invalid', '{"version":7}'],
    ['empty', ''],
  ])('keeps a %s state.json aside as state.json.broken-<time> and warns what it means', (_label, content) => {
    const stateDir = dir();
    expect(new TokenStore(stateDir).terminalUUID).toBeTruthy();
    writeFileSync(join(stateDir, 'state.json'), content);
    const warnings: string[] = [];
    const logger = { ...silentLogger(), warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
    const reopened = new TokenStore(stateDir, logger);
    expect(reopened.terminalUUID).toBeTruthy();
    const aside = readdirSync(stateDir).filter((name) => /^state\.json\.broken-\d{4}-\d\d-\d\dT/.test(name));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(stateDir, aside[0] ?? ''), 'utf8')).toBe(content);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/damaged .*new installation id.*code again/);
  });

  it('ensureWritable names stateDir when it cannot be written', () => {
    const stateDir = dir();
    expect(new TokenStore(stateDir).terminalUUID).toBeTruthy();
    const blocked = join(stateDir, 'state.json', 'inside'); // under a file: no one, root included, can create it
    expect(() => new TokenStore(blocked).ensureWritable()).toThrow(StateDirError);
    expect(() => new TokenStore(blocked).ensureWritable()).toThrow(`stateDir ${blocked} is not writable (ENOTDIR)`);
  });

  it('starts afresh from a damaged file instead of crashing', () => {
    const stateDir = dir();
    const store = new TokenStore(stateDir);
    const uuid = store.terminalUUID;
    writeFileSync(store.file, '{not json');
    const reopened = new TokenStore(stateDir);
    expect(reopened.terminalUUID).not.toBe(uuid);
    expect(existsSync(reopened.file)).toBe(true);
    expect(statSync(reopened.file).mode & 0o777).toBe(0o600);
  });
});
