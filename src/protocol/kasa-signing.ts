/**
 * Kasa/Tapo V2 request signing (kasa-cloud.md §2). Shared by the client,
 * which signs, and the simulator, which verifies.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export interface KeyPair {
  accessKey: string;
  secret: string;
}

/** The Kasa app's public key pair, as used by every public V2 client. */
export const KASA_KEYS: KeyPair = {
  accessKey: 'e37525375f8845999bcc56d5e6faa76d',
  secret: '314bc6700b3140ca80bc655e527cb062',
};

/** The Tapo app's key pair. */
export const TAPO_KEYS: KeyPair = {
  accessKey: '4d11b6b9d5ea4d19a829adbb9714b057',
  secret: '6ed7d97f3e73467f8a5bab90b577ba4c',
};

export function contentMd5(body: string): string {
  return createHash('md5').update(body).digest('base64');
}

function signature(secret: string, md5: string, timestamp: string, nonce: string, path: string): string {
  return createHmac('sha1', secret).update(`${md5}\n${timestamp}\n${nonce}\n${path}`).digest('hex');
}

/** Headers to send with a V2 request. `path` excludes the query string. */
export function signRequest(
  body: string,
  path: string,
  keys: KeyPair = KASA_KEYS,
  now: () => number = Date.now,
): { 'Content-MD5': string; 'X-Authorization': string } {
  const md5 = contentMd5(body);
  const timestamp = String(Math.floor(now() / 1000));
  const nonce = randomUUID();
  const sig = signature(keys.secret, md5, timestamp, nonce, path);
  return {
    'Content-MD5': md5,
    'X-Authorization': `Timestamp=${timestamp}, Nonce=${nonce}, AccessKey=${keys.accessKey}, Signature=${sig}`,
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Checks a V2 request's signature the way the cloud does. */
export function verifySignature(
  body: string,
  path: string,
  headers: { contentMd5?: string | undefined; authorization?: string | undefined },
  keyPairs: readonly KeyPair[] = [KASA_KEYS, TAPO_KEYS],
): VerifyResult {
  if (!headers.contentMd5 || !headers.authorization) return { ok: false, reason: 'missing signature headers' };
  if (headers.contentMd5 !== contentMd5(body)) return { ok: false, reason: 'Content-MD5 does not match the body' };
  const fields = new Map<string, string>();
  for (const part of headers.authorization.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const timestamp = fields.get('Timestamp');
  const nonce = fields.get('Nonce');
  const accessKey = fields.get('AccessKey');
  const given = fields.get('Signature');
  if (!timestamp || !nonce || !accessKey || !given) return { ok: false, reason: 'malformed X-Authorization' };
  const keys = keyPairs.find((pair) => pair.accessKey === accessKey);
  if (!keys) return { ok: false, reason: 'unknown access key' };
  const expected = signature(keys.secret, headers.contentMd5, timestamp, nonce, path);
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
