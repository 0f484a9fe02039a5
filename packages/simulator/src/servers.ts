/**
 * HTTP plumbing shared by every simulated host: body reading, recording,
 * latency, rate limiting and fault injection, then the host's API answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { errorCodeOf, type HostApi, type Reply, type SimContext, type SimRequest } from './context.js';
import type { FaultKind, RecordedRequest } from './types.js';

const MAX_BODY = 1 << 20;

/** Sliding one-second window of accepted requests, per cloud. */
export class RateWindow {
  private readonly stamps: number[] = [];
  private head = 0;

  tryAcquire(limit: number, now: number): boolean {
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) <= now - 1000) this.head++;
    if (this.head > 1024) {
      this.stamps.splice(0, this.head);
      this.head = 0;
    }
    if (limit > 0 && this.stamps.length - this.head >= limit) return false;
    this.stamps.push(now);
    return true;
  }
}

export interface HostServer {
  name: string;
  url: string;
  close(): Promise<void>;
}

export interface Plumbing {
  ctx: SimContext;
  requests: RecordedRequest[];
  /** 0 = unlimited. */
  recordLimit: number;
  rateWindows: Record<'kasa' | 'tapo', RateWindow>;
  timers: Set<NodeJS.Timeout>;
  /** Serve https with this chain and key (PEM) instead of http. */
  tls?: { cert: string; key: string } | undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(plumbing: Plumbing, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      plumbing.timers.delete(timer);
      resolve();
    }, ms);
    plumbing.timers.add(timer);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const type = reply.contentType ?? (isText ? 'text/plain' : 'application/json;charset=UTF-8');
  res.writeHead(reply.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

type FaultOutcome = { reply: Reply } | { drop: 'timeout' | 'reset' };

function injectFault(kind: FaultKind, api: HostApi): FaultOutcome {
  switch (kind) {
    case 'http500':
      return {
        reply: {
          status: 500,
          body: '<html><body><h1>500 Internal Server Error</h1></body></html>',
          contentType: 'text/html',
        },
      };
    case 'malformed':
      return { reply: { status: 200, body: '{"error_code":0,"result":{"responseDa', contentType: 'application/json' } };
    case 'busy':
      return { reply: api.special('busy') };
    case 'schema':
      return { reply: api.special('schema') };
    case 'timeout':
    case 'reset':
      return { drop: kind };
  }
}

async function handle(plumbing: Plumbing, host: string, api: HostApi, req: IncomingMessage, res: ServerResponse) {
  const { ctx } = plumbing;
  const rawBody = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://simulator');
  const simReq: SimRequest = {
    host,
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
  };
  const described = api.describe(simReq);
  const record: RecordedRequest = {
    time: Date.now(),
    cloud: api.cloud,
    host,
    httpMethod: simReq.httpMethod,
    path: simReq.path,
    api: described.api,
    body: described.body,
    status: 0,
  };
  if (described.deviceId !== undefined) record.deviceId = described.deviceId;
  if (described.thingNames !== undefined) record.thingNames = described.thingNames;
  plumbing.requests.push(record);
  // Trim in chunks so a long run stays bounded without shifting the array on every request.
  if (plumbing.recordLimit > 0 && plumbing.requests.length >= plumbing.recordLimit * 2) {
    plumbing.requests.splice(0, plumbing.requests.length - plumbing.recordLimit);
  }

  const faults = ctx.faults;
  if (faults.latencyMs > 0) await sleep(plumbing, faults.latencyMs);

  let outcome: FaultOutcome;
  if (!plumbing.rateWindows[api.cloud].tryAcquire(faults.rateLimitPerSecond, ctx.clock())) {
    outcome = { reply: api.special('rateLimited') };
  } else if (faults.errorRate > 0 && faults.errorKinds.length > 0 && ctx.rng() < faults.errorRate) {
    const kind = faults.errorKinds[Math.floor(ctx.rng() * faults.errorKinds.length)] ?? 'http500';
    outcome = injectFault(kind, api);
  } else {
    outcome = { reply: api.answer(simReq, described) };
  }

  if ('drop' in outcome) {
    // A timeout keeps the socket open until the client gives up or close() destroys it.
    if (outcome.drop === 'reset') req.socket.destroy();
    return;
  }
  record.status = outcome.reply.status;
  const code = errorCodeOf(outcome.reply.body);
  if (code !== undefined) record.errorCode = code;
  if (!res.destroyed) send(res, outcome.reply);
}

export async function startHost(plumbing: Plumbing, name: string, api: HostApi, address: string): Promise<HostServer> {
  const sockets = new Set<Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(plumbing, name, api, req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, { status: 500, body: 'simulator error' });
    });
  };
  const server: Server = plumbing.tls ? createTlsServer({ cert: plumbing.tls.cert, key: plumbing.tls.key }, listener) : createServer(listener);
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const hostPart = address.includes(':') ? `[${address}]` : address;
  return {
    name,
    url: `${plumbing.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
