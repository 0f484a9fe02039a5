/**
 * What events and responses may echo of a user's input (a payload, a topic
 * segment, a request key): control characters replaced and cut at
 * ECHO_LIMIT, so a 60,000-character key never comes back whole.
 */
export const ECHO_LIMIT = 200;

export function clip(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > ECHO_LIMIT ? `${printable.slice(0, ECHO_LIMIT)}…` : printable;
}
