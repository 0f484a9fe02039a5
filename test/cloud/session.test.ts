/** Session renewal decisions that the simulator cannot provoke on its own. */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../src/clouds/common/errors.js';
import { Session } from '../../src/clouds/common/session.js';
import { silentLogger } from '../../src/logger.js';
import { removeDir, tempStateDir, TokenStore } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

describe('Session.renew', () => {
  it('a garbled refresh answer is thrown for a retry, not answered with a password login', async () => {
    const dir = tempStateDir();
    dirs.push(dir);
    const store = new TokenStore(dir);
    store.setTokens('kasa', { username: 'a@b.c', token: 'old-token-1', refreshToken: 'refresh-1' });
    let logins = 0;
    const session = new Session({
      cloud: 'kasa',
      store,
      username: 'a@b.c',
      password: 'password-1',
      cooldownS: 60,
      logger: silentLogger(),
      login: () => {
        logins += 1;
        return Promise.resolve({ token: 'new-token-2' });
      },
      refresh: () => {
        return Promise.reject(new CloudError('kasa', 'protocol', 'kasa: refreshToken: unexpected answer'));
      },
    });
    const stale = await session.ensureToken();
    await expect(session.renew(stale)).rejects.toMatchObject({ kind: 'protocol' });
    expect(logins).toBe(0);
  });
});
