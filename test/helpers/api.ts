/**
 * The bridge's MQTT API as tests read it: payloads parsed with the schemas of
 * src/runtime/api.ts, so a test gets typed values, and a payload the bridge
 * publishes outside its schema fails the test that saw it.
 */
import { z } from 'zod';
import { BridgeDevices, BridgeEvent, BridgeInfo, BridgeState, RESPONSE_DATA, bridgeResponse, type BridgeEventType, type RequestKey } from '../../src/runtime/api.js';

export type { BridgeEvent, BridgeEventType };

const isRequestKey = (key: string): key is RequestKey => Object.hasOwn(RESPONSE_DATA, key);

/** The schema of what the bridge publishes on `<base>/bridge/<subtopic>`, or undefined for a topic it only reads. */
export function bridgeSchema(subtopic: string): z.ZodType | undefined {
  if (subtopic === 'state') return BridgeState;
  if (subtopic === 'info') return BridgeInfo;
  if (subtopic === 'devices') return BridgeDevices;
  if (subtopic === 'event') return BridgeEvent;
  if (!subtopic.startsWith('response/')) return undefined;
  const key = subtopic.slice('response/'.length);
  // An unknown key is answered with an error: any data schema will do.
  return bridgeResponse(isRequestKey(key) ? RESPONSE_DATA[key] : z.object({}));
}

/** Messages on `<base>/bridge/...` that do not match their schema, each with zod's reasons. */
export function apiViolations(messages: readonly { topic: string; payload: string }[], base = 'tplink'): string[] {
  const prefix = `${base}/bridge/`;
  const violations: string[] = [];
  for (const { topic, payload } of messages) {
    if (!topic.startsWith(prefix) || payload === '') continue;
    const schema = bridgeSchema(topic.slice(prefix.length));
    if (!schema) continue;
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      violations.push(`${topic}: not JSON: ${payload.slice(0, 200)}`);
      continue;
    }
    const result = schema.safeParse(json);
    if (!result.success) violations.push(`${topic}: ${z.prettifyError(result.error)}\n  ${payload.slice(0, 300)}`);
  }
  return violations;
}

/** One `bridge/event` payload, checked. */
export function parseEvent(payload: string): BridgeEvent {
  return BridgeEvent.parse(JSON.parse(payload));
}

/** Events of `type` among `payloads` (all events when no type is given). */
export function eventsOf<T extends BridgeEventType>(payloads: readonly string[], type?: T): Extract<BridgeEvent, { type: T }>[] {
  return payloads.map(parseEvent).filter((event): event is Extract<BridgeEvent, { type: T }> => type === undefined || event.type === type);
}
