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

describe('Session.withToken on a cloud that refuses every new token', () => {
  it('after three refusals in a row pauses renewals for baseMs, doubling up to maxMs, asks nothing while paused, and a working call ends it', async () => {
    const dir = tempStateDir();
    dirs.push(dir);
    let now = 1_000_000;
    let issued = 0;
    let renewals = 0;
    const session = new Session({
      cloud: 'tapo',
      store: new TokenStore(dir),
      username: 'a@b.c',
      password: 'password-1',
      cooldownS: 60,
      logger: silentLogger(),
      login: () => Promise.resolve({ token: `token-${++issued}`, refreshToken: 'refresh-1' }),
      refresh: () => {
        renewals += 1;
        return Promise.resolve({ token: `token-${++issued}` });
      },
      renewalBackoff: { baseMs: 1_000, maxMs: 5_000 },
      now: () => now,
    });
    let cloudWorks = false;
    const call = () => (cloudWorks ? Promise.resolve('answer') : Promise.reject(new CloudError('tapo', 'token_expired', 'tapo: token expired')));
    const attempt = async () => {
      const error = await session.withToken(call).then(
        () => undefined,
        (thrown: unknown) => thrown as CloudError,
      );
      return { retryAfterS: error?.retryAfterS, renewals, status: session.status };
    };

    // Two refusals may be races: retried at once, no pause.
    expect(await attempt()).toMatchObject({ retryAfterS: undefined, renewals: 1 });
    expect(await attempt()).toMatchObject({ retryAfterS: undefined, renewals: 2 });
    const pauses: (number | undefined)[] = [];
    for (const waitMs of [0, 1_000, 2_000, 4_000, 5_000]) {
      now += waitMs;
      const before = renewals;
      const result = await attempt();
      expect(result.renewals, `a renewal after waiting ${waitMs} ms`).toBe(before + 1);
      expect(result.status).toBe('token_refused');
      pauses.push(result.retryAfterS);
      // Until the pause is over, refused at once without asking the cloud.
      const pauseMs = (result.retryAfterS ?? 0) * 1_000;
      now += pauseMs - 1;
      expect(await attempt()).toMatchObject({ retryAfterS: 1, renewals: before + 1, status: 'token_refused' });
      now -= pauseMs - 1;
    }
    expect(pauses).toEqual([1, 2, 4, 5, 5]);

    now += 5_000;
    cloudWorks = true;
    await expect(session.withToken(call)).resolves.toBe('answer');
    expect(session.status).toBe('ok');
    // The count starts again: the next refusal is a race again, not a pause.
    cloudWorks = false;
    expect(await attempt()).toMatchObject({ retryAfterS: undefined });
  });
});
