import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, safeUrl } from '../../src/clouds/common/http.js';
import { silentLogger } from '../../src/logger.js';

let server: Server;
let base: string;
const seenPaths: string[] = [];
const sockets = new Set<number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    seenPaths.push(req.url ?? '');
    sockets.add(req.socket.remotePort ?? 0);
    const path = (req.url ?? '').split('?')[0] ?? '';
    switch (path) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"fine":true}');
        return;
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>');
        return;
      case '/500':
        res.writeHead(500).end('<html>error</html>');
        return;
      case '/429':
        res.writeHead(429).end('{}');
        return;
      case '/403':
        res.writeHead(403).end();
        return;
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":-1}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(timeoutMs = 2000): HttpClient {
  return new HttpClient({ cloud: 'kasa', timeoutMs, logger: silentLogger() });
}

describe('HttpClient', () => {
  it('parses JSON and reuses keep-alive connections through one pool per origin', async () => {
    const http = client();
    sockets.clear();
    for (let i = 0; i < 10; i++) expect((await http.request({ method: 'GET', url: `${base}/ok` })).body).toEqual({ fine: true });
    // Kept alive: far fewer connections than requests (undici may open a second one while releasing the first).
    expect(sockets.size).toBeLessThanOrEqual(2);
    expect(http.poolCount).toBe(1);
    await http.close();
  });

  it('sends repeated query parameters', async () => {
    const http = client();
    await http.request({ method: 'GET', url: `${base}/ok`, query: { thingNames: ['a', 'b'], page: '0' } });
    expect(seenPaths.at(-1)).toBe('/ok?thingNames=a&thingNames=b&page=0');
    await http.close();
  });

  it('maps 5xx to transient, 429 to rate_limited, non-JSON 2xx to protocol', async () => {
    const http = client();
    await expect(http.request({ method: 'GET', url: `${base}/500` })).rejects.toMatchObject({ kind: 'transient', code: 500 });
    await expect(http.request({ method: 'GET', url: `${base}/429` })).rejects.toMatchObject({ kind: 'rate_limited', code: 429 });
    await expect(http.request({ method: 'GET', url: `${base}/html` })).rejects.toMatchObject({ kind: 'protocol' });
    expect(await http.request({ method: 'GET', url: `${base}/403` })).toEqual({ status: 403, body: undefined });
    await http.close();
  });

  it('times out a request that never answers, without the query in the message', async () => {
    const http = client(150);
    const started = Date.now();
    const error = await http.request({ method: 'POST', url: `${base}/hang`, query: { token: 'SECRET-TOKEN' }, json: {} }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toMatch(/timed out after 150 ms/);
    expect((error as Error).message).not.toContain('SECRET-TOKEN');
    await http.close();
  });

  it('maps a refused connection to transient', async () => {
    const http = client();
    await expect(http.request({ method: 'GET', url: 'http://127.0.0.1:1/' })).rejects.toMatchObject({ kind: 'transient' });
    await http.close();
  });

  it('safeUrl drops the query string', () => {
    expect(safeUrl('https://eu-wap.tplinkcloud.com/?token=abc&termID=1')).toBe('https://eu-wap.tplinkcloud.com/');
  });
});
