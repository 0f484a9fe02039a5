/**
 * The bridge's MQTT API, one schema per payload: what it publishes on
 * `<base>/bridge/{state,info,devices,event}` and `bridge/response/<key>`,
 * and the request bodies it reads on `bridge/request/<key>`. The publisher
 * takes these types (an event cannot be published with the wrong data), the
 * `health` command and the tests parse with them, and the README's tables of
 * events and requests are generated from them (scripts/api-tables.ts), so a
 * description here is user documentation.
 *
 * Objects the bridge publishes are strict, so a field added without its
 * schema fails the tests (test/helpers/api.ts checks every payload a test
 * bridge publishes). Field names are a contract users' automations depend on: they stay as they
 * are, also where they disagree with each other (`bridge/info`'s `poll`
 * settings are camelCase, everything else snake_case; a disabled cloud in
 * `bridge/info` has no `problem`; `command_rejected` names its node
 * `target`, `command_failed` names it `device`).
 */
import { z } from 'zod';
import type { ClientStatus } from '../clouds/common/session.js';
import type { Component, StateValue, UpdateValue, ValueType } from '../model/feature.js';
import type { CloudName, DeviceNode, NodeKind } from '../model/node.js';

const cloudName = z.enum(['kasa', 'tapo']) satisfies z.ZodType<CloudName>;
const clientStatus = z.enum(['ok', 'logging_in', 'auth_failed', 'account_locked', 'mfa_required', 'token_refused', 'unknown']) satisfies z.ZodType<ClientStatus>;
const loginRefusal = z.enum(['auth_failed', 'account_locked', 'mfa_required']) satisfies z.ZodType<ClientStatus>;
const nodeKind = z.enum(['plug', 'switch', 'dimmer', 'bulb', 'lightstrip', 'strip', 'outlet']) satisfies z.ZodType<NodeKind>;
const updateValue = z.strictObject({
  installed_version: z.string().nullable(),
  latest_version: z.string().nullable(),
  title: z.string().nullable().optional(),
  release_summary: z.string().nullable().optional(),
  release_url: z.string().nullable().optional(),
  in_progress: z.boolean().optional(),
  update_percentage: z.number().nullable().optional(),
}) satisfies z.ZodType<UpdateValue>;
const stateValue = z.union([z.string(), z.number(), z.boolean(), z.strictObject({ h: z.number(), s: z.number() }), updateValue, z.null()]) satisfies z.ZodType<StateValue>;

/** `<base>/bridge/state` (retained; also the MQTT last will). */
export const BridgeState = z.strictObject({ state: z.enum(['online', 'offline']) });
export type BridgeState = z.infer<typeof BridgeState>;

const CloudInfo = z.discriminatedUnion('enabled', [
  z.strictObject({ enabled: z.literal(true), status: clientStatus, devices: z.number().int(), problem: z.string().nullable() }),
  // No `problem` here: published like this since the start.
  z.strictObject({ enabled: z.literal(false), status: z.literal('disabled'), devices: z.literal(0) }),
]);

/** `<base>/bridge/info` (retained), and the `data` of `bridge/response/info`. */
export const BridgeInfo = z.strictObject({
  version: z.string(),
  clouds: z.strictObject({ kasa: CloudInfo, tapo: CloudInfo }),
  mqtt: z.strictObject({ base_topic: z.string(), embedded_broker: z.boolean() }),
  homeassistant: z.strictObject({ enabled: z.boolean(), prefix: z.string(), discovery: z.enum(['device', 'entity']) }),
  // The poll settings as configured, in the settings' own (camelCase) names.
  poll: z.strictObject({ intervalS: z.number(), listIntervalS: z.number(), energyIntervalS: z.number() }),
  device_count: z.number().int(),
  last_poll_duration_s: z.number().nullable(),
  last_poll_at: z.iso.datetime().nullable(),
});
export type BridgeInfo = z.infer<typeof BridgeInfo>;

const valueType = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('onoff') }),
  z.strictObject({ kind: z.literal('flag') }),
  z.strictObject({ kind: z.literal('number'), min: z.number().optional(), max: z.number().optional(), step: z.number().optional(), unit: z.string().optional() }),
  z.strictObject({ kind: z.literal('enum'), options: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('color') }),
  z.strictObject({ kind: z.literal('text') }),
  z.strictObject({ kind: z.literal('timestamp') }),
  z.strictObject({ kind: z.literal('press') }),
  z.strictObject({ kind: z.literal('update') }),
]) satisfies z.ZodType<ValueType>;

export const FeatureSummary = z.strictObject({
  id: z.string(),
  type: valueType,
  readable: z.boolean(),
  writable: z.boolean(),
  /** The Home Assistant component of its own entity, or null for the parts of the main switch/light. */
  entity: z.enum(['switch', 'light', 'sensor', 'binary_sensor', 'number', 'select', 'button', 'update']).nullable() satisfies z.ZodType<Component | null>,
});
export type FeatureSummary = z.infer<typeof FeatureSummary>;

/** One node as `bridge/devices` and `devices --json` list it. */
export const NodeSummary = z.strictObject({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  cloud: cloudName,
  kind: nodeKind,
  /** Parent node id for outlets, else null (JSON has no undefined). */
  parent: z.string().nullable(),
  /** null until the node's first complete read (its interview). */
  features: z.array(FeatureSummary).nullable(),
  online: z.boolean(),
});
export type NodeSummary = z.infer<typeof NodeSummary>;

export function nodeSummary(node: DeviceNode): NodeSummary {
  return {
    id: node.id,
    name: node.name,
    model: node.model,
    cloud: node.cloud,
    kind: node.kind,
    parent: node.parentId ?? null,
    features: node.features
      ? Object.values(node.features).map((f) => ({
          id: f.id,
          // A copy, so a caller serialising later never sees a node changed since.
          type: structuredClone(f.type),
          readable: f.readable,
          writable: f.writable,
          entity: f.entity?.component ?? null,
        }))
      : null,
    online: node.online,
  };
}

/** `<base>/bridge/devices` (retained): every node with its topic name. */
export const BridgeDevices = z.array(NodeSummary.extend({ topic: z.string() }));
export type BridgeDevices = z.infer<typeof BridgeDevices>;

/** Describes a data field for the README: `name (what it is)`. */
const field = <T extends z.ZodType>(schema: T, doc: string): T => schema.meta({ description: doc });

/**
 * `<base>/bridge/event` (never retained): `{type, data}`, one member per
 * event type. The description of a member says when it is published.
 */
export const BridgeEvent = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('command_rejected'),
      data: z.strictObject({ target: field(z.string(), 'the topic segment'), reason: z.string(), payload: field(z.string(), 'its first characters') }),
    })
    .meta({ description: 'a `set`/`get` the bridge cannot carry out: unknown device, bad value, something the device cannot do. Nothing is sent to the cloud.' }),
  z
    .strictObject({
      type: z.literal('command_failed'),
      data: z.strictObject({ device: field(z.string(), 'topic name'), id: z.string(), desired: field(z.record(z.string(), stateValue.optional()), 'what the command asked for'), reason: z.string() }),
    })
    .meta({ description: 'the cloud refused a command, or it was not carried out within `commands.ttlS`. The real state is republished.' }),
  z
    .strictObject({
      type: z.literal('device_added'),
      data: z.strictObject({ id: z.string(), name: z.string(), model: z.string(), cloud: cloudName }),
    })
    .meta({ description: 'a device or outlet appeared in a list read after start' }),
  z
    .strictObject({
      type: z.literal('device_removed'),
      data: z.strictObject({ id: z.string(), name: z.string(), cloud: cloudName }),
    })
    .meta({ description: 'it left the account; its discovery and retained topics are cleared' }),
  z
    .strictObject({
      type: z.literal('cloud_auth_failed'),
      data: z.strictObject({ cloud: cloudName, reason: loginRefusal }),
    })
    .meta({ description: 'a cloud refused to log in; its devices become unavailable' }),
  z
    .strictObject({
      type: z.literal('overloaded'),
      data: z.strictObject({
        dropped: field(z.number().int(), 'messages dropped since the last overloaded event'),
        by_kind: field(z.record(z.string(), z.number().int()), 'of them: `get`, `bridge_request`, `ha_status`, `command_rejected`'),
      }),
    })
    .meta({ description: 'more `get`s, bridge requests and rejected `set`s arrived at once than the bridge takes (1,024 gets and bridge requests in progress, a refresh request waiting for a running refresh counting, and 1,024 reports of rejected `set`s): the extra ones were dropped unanswered (a rejected `set` then has no `command_rejected` event of its own, only this count). At most one a second; a valid `set` is never dropped.' }),
]);
export type BridgeEvent = z.infer<typeof BridgeEvent>;
export type BridgeEventType = BridgeEvent['type'];
/** The `data` of one event type. */
export type BridgeEventData<T extends BridgeEventType> = Extract<BridgeEvent, { type: T }>['data'];

/** Every event type, in the order the README lists them. */
export const BRIDGE_EVENT_TYPES: readonly BridgeEventType[] = BridgeEvent.options.map((option) => option.shape.type.value);

/** Any request's body: `transaction` is echoed in the response. Other fields belong to the request. */
// Request bodies are read loosely (a body carries `transaction` besides its own fields);
// what the bridge publishes is strict: a field no schema names fails the tests.
export const RequestBody = z.object({ transaction: z.union([z.string().max(200), z.number()]).optional() }).loose();

/** Body of the requests about one device (`device/interview`, `device/firmware_check`): its topic name or node id. */
export const DeviceRequest = z.object({ id: z.string() });
/** Body of `bridge/request/device/interview`. */
export const InterviewRequest = DeviceRequest;

/**
 * The `data` of `bridge/response/<key>` for each request the bridge
 * answers; a description says what the request does.
 */
export const RESPONSE_DATA = {
  refresh: z
    .strictObject({
      device_count: z.number().int(),
      merged: field(z.boolean(), 'answered by a refresh running or just finished'),
      lists: field(z.boolean(), 'the device lists were re-read'),
    })
    .meta({ description: 'reads the device lists, every state and every energy meter now' }),
  health_check: z
    .strictObject({
      healthy: z.boolean(),
      mqtt: z.boolean(),
      clouds: field(z.record(z.string(), clientStatus), 'status per cloud'),
      problems: field(z.record(z.string(), z.string()), 'what to fix, per cloud'),
      device_count: z.number().int(),
      last_poll_at: z.iso.datetime().nullable(),
    })
    .meta({ description: 'reports' }),
  info: BridgeInfo.meta({ description: 'reports' }),
  'device/interview': z
    .strictObject({ id: z.string(), features: z.array(z.string()) })
    .meta({
      description:
        'reads one device again and fixes what it can do anew (body `{"id": "<name or id>"}`); discovery is republished if that changed',
    }),
  'device/firmware_check': z
    .strictObject({
      id: z.string(),
      checked: field(z.boolean(), 'false: it was checked less than 10 minutes ago, and these are the versions that check found'),
      installed_version: z.string().nullable(),
      latest_version: field(z.string().nullable(), 'the installed one when up to date; null when unknown'),
      in_progress: field(z.boolean(), 'an install is under way'),
    })
    .meta({
      description:
        'checks one device for new firmware now (body `{"id": "<name or id>"}`), at most once per 10 minutes per device (TP-Link throttles clients that ask too often); its update entity follows',
    }),
} as const;
export type RequestKey = keyof typeof RESPONSE_DATA;
export const REQUEST_KEYS = Object.keys(RESPONSE_DATA) as RequestKey[];
export type ResponseData<K extends RequestKey> = z.infer<(typeof RESPONSE_DATA)[K]>;

const transaction = z.union([z.string(), z.number()]).optional();

/** `bridge/response/<key>`: the request's answer, zigbee2mqtt's shape. */
export function bridgeResponse<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('ok'), data, transaction }),
    z.strictObject({ status: z.literal('error'), data: z.strictObject({}), error: z.string(), transaction }),
  ]);
}
/** Any response, its `data` that of one request key (or `{}` with an error). */
export type BridgeResponse = z.infer<ReturnType<typeof bridgeResponse<(typeof RESPONSE_DATA)[RequestKey]>>>;
export const HealthResponse = bridgeResponse(RESPONSE_DATA.health_check);
export type HealthResponse = z.infer<typeof HealthResponse>;
