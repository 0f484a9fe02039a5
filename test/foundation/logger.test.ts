import { describe, expect, it } from 'vitest';
import { SecretRegistry, createLogger } from '../../src/logger.js';

function capture(level = 'trace', pretty = false) {
  const lines: string[] = [];
  const registry = new SecretRegistry();
  const logger = createLogger({ level, pretty, registry, destination: { write: (chunk: string) => lines.push(chunk) } });
  return { logger, lines, registry };
}

describe('log redaction', () => {
  it('redacts secret keys at any of the usual depths', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'p1-secret',
        token: 't1-secret',
        params: { cloudPassword: 'p2-secret', refreshToken: 'r1-secret' },
        req: { body: { token: 't2-secret' } },
        headers: { authorization: 'ut|t3-secret', 'x-authorization': 'Signature=abc' },
      },
      'login',
    );
    const out = lines.join('');
    for (const secret of ['p1-secret', 't1-secret', 'p2-secret', 'r1-secret', 't2-secret', 't3-secret', 'Signature=abc']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });

  it('masks registered secret values wherever they travel (messages, errors, odd keys)', () => {
    const { logger, lines, registry } = capture();
    registry.add('tok-6f1d2e9a');
    registry.add('pa"ss\\word');
    logger.warn({ url: 'https://x/?token=tok-6f1d2e9a', weird: { deeply: { nested: { v: 'tok-6f1d2e9a' } } } }, 'got tok-6f1d2e9a');
    logger.error({ err: new Error('bad pa"ss\\word') }, 'failed');
    const out = lines.join('');
    expect(out).not.toContain('tok-6f1d2e9a');
    expect(out).not.toContain('ss\\\\word');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('masks in pretty mode too', () => {
    const { logger, lines, registry } = capture('info', true);
    registry.add('tok-pretty-1234');
    logger.info({ token: 'x-1234567', other: 'tok-pretty-1234' }, 'hello tok-pretty-1234');
    const out = lines.join('');
    expect(out).toContain('hello');
    expect(out).not.toContain('tok-pretty-1234');
    expect(out).not.toContain('x-1234567');
  });

  it('writes JSON lines by default and respects the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn({ n: 1 }, 'shown');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '{}') as { msg: string; level: number; n: number };
    expect(parsed).toMatchObject({ msg: 'shown', level: 40, n: 1 });
  });
});
