/**
 * The MQTT topics discovery points Home Assistant at. The bridge publishes
 * exactly these (zigbee2mqtt layout):
 *   <base>/bridge/state          {"state":"online"|"offline"} retained + last will
 *   <base>/bridge/info           {"device_count": n, "last_poll_duration_s": s|null, ...} retained
 *   <base>/<name>                the node's NodeState as one JSON object, retained
 *   <base>/<name>/availability   {"state":"online"|"offline"} retained
 *   <base>/<name>/set            commands: ON/OFF or JSON (light JSON schema)
 *   <base>/<name>/set/led        LED: ON/OFF
 */
export const bridgeStateTopic = (base: string): string => `${base}/bridge/state`;
export const bridgeInfoTopic = (base: string): string => `${base}/bridge/info`;
export const nodeStateTopic = (base: string, name: string): string => `${base}/${name}`;
export const nodeAvailabilityTopic = (base: string, name: string): string => `${base}/${name}/availability`;
export const nodeCommandTopic = (base: string, name: string): string => `${base}/${name}/set`;
export const nodeLedCommandTopic = (base: string, name: string): string => `${base}/${name}/set/led`;

/** An entity id object part: lower-case `[a-z0-9_]`, as Home Assistant slugifies. */
export function entitySlug(raw: string): string {
  const slug = raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'tplink' : slug;
}
