/** Device names as the clouds hand them out. */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Letters, marks, digits, punctuation, symbols (emoji) and plain spaces only:
// a plain name that happens to be valid base64 ("Desk") decodes to control
// bytes or invalid UTF-8 and is kept as typed.
const PRINTABLE = /^(?:[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]|\u200d|\ufe0f)+$/u;

/**
 * Tapo nicknames (and the Kasa alias of a Tapo device) are usually base64,
 * sometimes plain. Decodes when the result is printable UTF-8, else returns
 * the input unchanged; never throws.
 */
export function decodeNickname(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const trimmed = raw.trim();
  if (trimmed === '' || !BASE64.test(trimmed)) return trimmed;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(trimmed, 'base64'));
  } catch {
    return trimmed;
  }
  const clean = decoded.trim();
  return clean !== '' && PRINTABLE.test(clean) ? clean : trimmed;
}
