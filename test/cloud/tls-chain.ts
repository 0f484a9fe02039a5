/**
 * A private CA chain made with openssl at test time, the way TP-Link's is
 * built: a root that is withheld from the client, an intermediate that the
 * client trusts by itself, and a leaf for 127.0.0.1 signed by the
 * intermediate. Written into a temp dir that the caller removes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PrivateChain {
  /** The intermediate alone (the anchor the client is given). */
  intermediateFile: string;
  /** An unrelated CA: trusting it must not make the server trusted. */
  strangerFile: string;
  /** What the server serves: leaf then intermediate, and the leaf's key. */
  tls: { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function newKey(dir: string, name: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
}

function ca(dir: string, name: string, cn: string): void {
  newKey(dir, name);
  openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`]);
}

function signed(dir: string, name: string, cn: string, issuer: string, extensions: string): void {
  newKey(dir, name);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

export function privateChain(dir: string): PrivateChain {
  ca(dir, 'root', 'Simulated Cloud Root CA');
  signed(dir, 'intermediate', 'Simulated Cloud Server CA', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  signed(dir, 'leaf', '127.0.0.1', 'intermediate', 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ca(dir, 'stranger', 'Somebody Else CA');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    intermediateFile: join(dir, 'intermediate.pem'),
    strangerFile: join(dir, 'stranger.pem'),
    tls: { cert: `${read('leaf.pem')}${read('intermediate.pem')}`, key: read('leaf.key') },
  };
}
