/** A value read from JSON, as text for a message or a comparison: strings as they are, anything else as JSON (never "[object Object]"). */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
