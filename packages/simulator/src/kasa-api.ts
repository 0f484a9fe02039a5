/**
 * The Kasa cloud hosts: V1 JSON-RPC on `/` (login, refreshToken,
 * getDeviceList, passthrough), V2 account calls under `/api/v2/account/`,
 * and the V2 signature check. Devices answer only on their own regional
 * host, as the real cloud does.
 */
import { z } from 'zod';
import { ERROR_CODES } from 'tplink-cloud-mqtt/protocol';
import { base64, header, json, parseJson, type HostApi, type Reply, type SimContext, type SimRequest, type SpecialReply } from './context.js';
import {
  AccountEnvelope,
  MISSING_PARAMS,
  V2_ACCOUNT,
  describeAccountCall,
  kasaError,
  kasaOk,
  signatureRefusal,
  v1AccountCall,
  v2AccountCall,
} from './kasa-account.js';
import { executeIot, kasaReachable } from './kasa-devices.js';
import { isJson, text, type Json, type KasaDevice, type Region, type TapoThing } from './model.js';

const Passthrough = z.object({
  deviceId: z.string(),
  requestData: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

/** Where the account "lives": getAccountStatusAndUrl points V2 clients there. */
export const HOME_REGION: Region = 'eu';
const AWS_REGION: Record<Region, string> = { eu: 'eu-west-1', use1: 'us-east-1' };

const OFFLINE = kasaError(ERROR_CODES.deviceOffline, 'Device is offline');
const JSON_ERROR = kasaError(ERROR_CODES.jsonFormatError, 'JSON format error');

/**
 * V2 traffic is recognised by its signature headers or its V2-only query
 * parameters; V1 clients also send appName/termID, so those do not count.
 */
function isV2(req: SimRequest): boolean {
  return (
    req.path.startsWith('/api/v2/') ||
    header(req, 'x-authorization') !== undefined ||
    header(req, 'content-md5') !== undefined ||
    req.query.has('termMeta') ||
    req.query.has('brand')
  );
}

function kasaListEntry(ctx: SimContext, device: KasaDevice, host: string): Json {
  const info = device.sysinfo;
  return {
    deviceType: info.type ?? info.mic_type,
    role: 0,
    fwVer: info.sw_ver,
    appServerUrl: ctx.urls.kasa.regions[device.region],
    deviceRegion: AWS_REGION[device.region],
    deviceId: device.id,
    deviceName: info.dev_name ?? info.description ?? device.model,
    deviceHwVer: info.hw_ver,
    alias: info.alias,
    deviceMac: text(info.mac ?? info.mic_mac).replace(/[:-]/g, '').toUpperCase(),
    oemId: info.oemId,
    deviceModel: device.model,
    hwId: info.hwId,
    fwId: info.fwId ?? '00000000000000000000000000000000',
    isSameRegion: host === device.region,
    status: device.online ? 1 : 0,
  };
}

/** Tapo devices are listed by the Kasa cloud too, always offline there (tapo-cloud.md §6). */
function tapoListEntry(ctx: SimContext, thing: TapoThing, host: string): Json {
  return {
    deviceType: thing.deviceType,
    role: 0,
    fwVer: thing.info.fw_ver,
    appServerUrl: ctx.urls.kasa.regions[thing.region],
    deviceRegion: AWS_REGION[thing.region],
    deviceId: thing.id,
    deviceName: thing.model,
    deviceHwVer: thing.info.hw_ver,
    alias: base64(thing.alias),
    deviceMac: text(thing.info.mac).replace(/[:-]/g, '').toUpperCase(),
    oemId: thing.info.oem_id,
    deviceModel: thing.model,
    hwId: thing.info.hw_id,
    fwId: thing.info.fw_id,
    isSameRegion: host === thing.region,
    status: 0,
  };
}

function deviceList(ctx: SimContext, host: string): Reply {
  const list: Json[] = [];
  for (const device of ctx.registry.kasa.values()) list.push(kasaListEntry(ctx, device, host));
  for (const thing of ctx.registry.tapoDevices()) list.push(tapoListEntry(ctx, thing, host));
  return kasaOk({ deviceList: list });
}

function passthrough(ctx: SimContext, host: string, params: Json): Reply {
  const parsed = Passthrough.safeParse(params);
  if (!parsed.success) return MISSING_PARAMS;
  const { deviceId, requestData } = parsed.data;
  const device = ctx.registry.kasa.get(deviceId);
  if (!device) return ctx.registry.tapo.has(deviceId) ? OFFLINE : kasaError(ERROR_CODES.deviceIdNotFound, 'Device id not found');
  if (device.region !== host || !kasaReachable(device, ctx.clock())) return OFFLINE;
  let request: unknown = requestData;
  if (typeof requestData === 'string') {
    const inner = parseJson(requestData);
    if (!inner.ok) return JSON_ERROR;
    request = inner.value;
  }
  if (!isJson(request)) return JSON_ERROR;
  const answer = executeIot(device, request, ctx.clock());
  return kasaOk({ responseData: typeof requestData === 'string' ? JSON.stringify(answer) : answer });
}

function tokenReply(ctx: SimContext, req: SimRequest, params: Json): Reply | undefined {
  const token = req.query.get('token') ?? (typeof params.token === 'string' ? params.token : undefined);
  const check = ctx.accounts.checkToken(token);
  if (check === 'expired') return kasaError(ERROR_CODES.tokenExpired, 'Token expired');
  if (check === 'invalid') return kasaError(ERROR_CODES.tokenIncorrect, 'Token incorrect');
  return undefined;
}

export function kasaApi(ctx: SimContext): HostApi {
  return {
    cloud: 'kasa',
    describe(req: SimRequest) {
      const described = describeAccountCall(req);
      const envelope = req.path.startsWith(V2_ACCOUNT) ? undefined : AccountEnvelope.safeParse(described.body).data;
      const params = envelope?.params ?? {};
      if (typeof params.deviceId === 'string') described.deviceId = params.deviceId;
      if (envelope && typeof params.requestData === 'string') {
        // Recorded with requestData parsed, so tests can assert on the device command.
        const inner = parseJson(params.requestData);
        if (inner.ok) described.body = { ...envelope, params: { ...params, requestData: inner.value } };
      }
      return described;
    },

    answer(req: SimRequest): Reply {
      if (req.httpMethod !== 'POST') return json(405, { error_code: ERROR_CODES.methodNotFound, msg: 'Method not allowed' });
      const refused = isV2(req) ? signatureRefusal(req) : undefined;
      if (refused) return refused;
      const parsed = parseJson(req.rawBody);
      if (!parsed.ok || !isJson(parsed.value)) return JSON_ERROR;
      if (req.path.startsWith(V2_ACCOUNT)) {
        const home = ctx.urls.kasa.regions[HOME_REGION] ?? ctx.urls.kasa.url;
        return v2AccountCall(ctx, req.path.slice(V2_ACCOUNT.length), parsed.value, home);
      }
      if (req.path !== '/') return json(404, { error_code: ERROR_CODES.methodNotFound, msg: 'Not found' });
      const envelope = AccountEnvelope.safeParse(parsed.value);
      if (!envelope.success) return JSON_ERROR;
      const { method } = envelope.data;
      const params = envelope.data.params ?? {};
      const account = v1AccountCall(ctx, method, params);
      if (account) return account;
      if (method !== 'getDeviceList' && method !== 'passthrough') return kasaError(ERROR_CODES.methodNotFound, 'Method does not exist');
      const denied = tokenReply(ctx, req, params);
      if (denied) return denied;
      return method === 'getDeviceList' ? deviceList(ctx, req.host) : passthrough(ctx, req.host, params);
    },

    special(kind: SpecialReply): Reply {
      if (kind === 'busy') return kasaError(ERROR_CODES.serverBusy, 'Server busy, please try again later');
      if (kind === 'rateLimited') return kasaError(ERROR_CODES.apiRateLimited, 'API rate limit exceeded');
      return json(200, { error_code: 0, result: 'unexpected', data: [1, 2, 3] });
    },
  };
}
