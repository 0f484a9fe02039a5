/**
 * README tables of the MQTT API, generated from its schemas (src/runtime/api.ts):
 * the events with the fields of their `data`, and the requests with the fields
 * of their answer. A schema's description is the table's prose.
 */
import { z } from 'zod';
import { BridgeEvent, RESPONSE_DATA, type RequestKey } from '../src/runtime/api.js';

const described = (schema: z.ZodType): string | undefined => schema.meta()?.description;

/** `name` (its description, or the words an enum takes), comma-separated. */
export function fieldList(object: z.ZodObject): string {
  return Object.entries(object.shape as Record<string, z.ZodType>)
    .map(([name, schema]) => {
      const words = schema instanceof z.ZodEnum ? (schema.options as string[]).map((option) => `\`${option}\``).join(', ') : undefined;
      const note = described(schema) ?? words;
      return note === undefined ? `\`${name}\`` : `\`${name}\` (${note})`;
    })
    .join(', ');
}

export function eventsTable(): string {
  const rows = BridgeEvent.options.map((event) => `| \`${event.shape.type.value}\` | ${described(event) ?? ''} | ${fieldList(event.shape.data)} |`);
  return ['| type | when | `data` |', '| --- | --- | --- |', ...rows].join('\n');
}

/** What the README says of a request's answer, when it is not its list of fields. */
const ANSWER_DATA: Partial<Record<RequestKey, string>> = { info: 'the `bridge/info` object' };

export function requestsTable(): string {
  const rows = Object.entries(RESPONSE_DATA).map(([key, schema]) => {
    const data = ANSWER_DATA[key as RequestKey] ?? fieldList(schema);
    return `| \`${key}\` | ${described(schema) ?? ''} | ${data} |`;
  });
  return ['| key | does | `data` of the answer |', '| --- | --- | --- |', ...rows].join('\n');
}
