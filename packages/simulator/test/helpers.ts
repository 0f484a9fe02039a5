/** Small undici helpers so each simulator test reads like the wire traffic it checks. */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { signRequest } from 'tplink-cloud-mqtt/protocol';
import type { Simulator } from '../src/index.js';

export type Body = Record<string, unknown>;

export interface Answer {
  status: number;
  text: string;
  json: Body;
}

export const TERMINAL = 'a5f7e9c2-4b1d-4e8a-9c3f-1d2e3f4a5b6c';
export const TAPO_CID = `app:TP-Link_Tapo_Android:${TERMINAL}`;

/** The app server's headers for a token issued to `terminal` (tapo-cloud.md §7). */
export function nbuHeaders(token: string, cid = TAPO_CID, terminal = TERMINAL): Record<string, string> {
  return { authorization: `ut|${token}`, 'app-cid': cid, 'x-app-name': 'TP-Link_Tapo_Android', 'x-app-version': '3.13.818', 'x-term-id': terminal };
}

async function toAnswer(res: Awaited<ReturnType<typeof request>>): Promise<Answer> {
  const text = await res.body.text();
  let json: Body = {};
  try {
    json = JSON.parse(text) as Body;
  } catch {
    // Tests that expect non-JSON look at `text`.
  }
  return { status: res.statusCode, text, json };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return toAnswer(
    await request(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } }),
  );
}

/** A V2 call signed with the Kasa app's key pair, the way the real app does it. */
export async function signedPost(base: string, path: string, body: unknown, query = ''): Promise<Answer> {
  const payload = JSON.stringify(body);
  return post(`${base}${path}${query}`, payload, signRequest(payload, path));
}

/** services-sync passthrough of `requestData` to a thing; returns the answer body. */
export async function tapoSync(sim: Simulator, thing: string, token: string, requestData: Body): Promise<Body> {
  const answer = await toAnswer(
    await request(`${sim.urls.tapo.appServerUrl}/v1/things/${thing}/services-sync`, {
      method: 'POST',
      body: JSON.stringify({ serviceId: 'passthrough', inputParams: { requestData } }),
      headers: { ...nbuHeaders(token), 'content-type': 'application/json' },
    }),
  );
  if (answer.status !== 200) throw new Error(`services-sync answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

export async function tapoGet(sim: Simulator, path: string, token: string, cid = TAPO_CID): Promise<Answer> {
  return toAnswer(
    await request(`${sim.urls.tapo.appServerUrl}${path}`, {
      method: 'GET',
      headers: nbuHeaders(token, cid),
    }),
  );
}

export async function tapoPatch(sim: Simulator, thing: string, body: unknown, token: string): Promise<Answer> {
  return toAnswer(
    await request(`${sim.urls.tapo.appServerUrl}/v1/things/${thing}/shadows`, {
      method: 'PATCH',
      body: JSON.stringify(body),
      headers: { ...nbuHeaders(token), 'content-type': 'application/json' },
    }),
  );
}

export function result(answer: Answer): Body {
  return (answer.json.result ?? {}) as Body;
}

export async function kasaLogin(sim: Simulator, refresh = false): Promise<Body> {
  const answer = await post(sim.urls.kasa.url, {
    method: 'login',
    params: {
      appType: 'Kasa_Android',
      cloudUserName: sim.username,
      cloudPassword: sim.password,
      terminalUUID: TERMINAL,
      refreshTokenNeeded: refresh,
    },
  });
  if (answer.json.error_code !== 0) throw new Error(`login failed: ${answer.text}`);
  return result(answer);
}

export async function tapoLogin(sim: Simulator, password = sim.password): Promise<Answer> {
  return post(sim.urls.tapo.accountUrl, {
    method: 'login',
    params: {
      appType: 'TP-Link_Tapo_Android',
      cloudUserName: sim.username,
      cloudPassword: password,
      platform: '',
      refreshTokenNeeded: true,
      terminalUUID: TERMINAL,
    },
  });
}

export async function tapoToken(sim: Simulator): Promise<string> {
  return String(result(await tapoLogin(sim)).token);
}

/** The device list entry of the first Kasa device of `model` (prefix match). */
export function idOf(sim: Simulator, model: string): string {
  const found = sim.devices().find((d) => d.model.startsWith(model));
  if (!found) throw new Error(`no ${model} in the simulator`);
  return found.id;
}

export interface KasaSession {
  token: string;
  list: Body[];
  /** The regional host the device list names for `id`. */
  urlOf(id: string): string;
  /** One IOT command through the device's own regional host; returns responseData. */
  iot(id: string, requestData: Body): Promise<Body>;
}

export async function kasaSession(sim: Simulator): Promise<KasaSession> {
  const token = String((await kasaLogin(sim)).token);
  const listed = await post(`${sim.urls.kasa.url}?token=${token}`, { method: 'getDeviceList' });
  const list = (result(listed).deviceList ?? []) as Body[];
  const urlOf = (id: string): string => {
    const entry = list.find((d) => d.deviceId === id);
    if (!entry) throw new Error(`${id} not listed`);
    return String(entry.appServerUrl);
  };
  return {
    token,
    list,
    urlOf,
    async iot(id, requestData) {
      const answer = await post(urlOf(id), { method: 'passthrough', params: { token, deviceId: id, requestData } });
      if (answer.json.error_code !== 0) throw new Error(`passthrough failed: ${answer.text}`);
      return result(answer).responseData as Body;
    },
  };
}

export const newTerminal = (): string => randomUUID();
