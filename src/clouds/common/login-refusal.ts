/**
 * Why a cloud refused to log in, and what the user does about it: one line
 * naming the cause and the setting or command that fixes it. The bridge
 * logs it at run time (bridge/info carries it), the CLI prints it when
 * every account refused, README's Troubleshooting quotes it.
 * Nothing here may carry a secret: inputs are error kinds and codes.
 */
import type { CloudError } from './errors.js';
import type { CloudName } from '../../model/node.js';

export type LoginRefusal = 'auth_failed' | 'account_locked' | 'mfa_required';

const CREDENTIALS: Record<CloudName, string> = {
  kasa: 'KASA_USERNAME / KASA_PASSWORD (or KASA_PASSWORD_FILE; kasa.username / kasa.password in a config file)',
  tapo: 'TAPO_USERNAME / TAPO_PASSWORD (or TAPO_PASSWORD_FILE; tapo.username / tapo.password in a config file)',
};

export const LOGIN_COMMAND_HINT =
  'run "tplink-cloud-mqtt login" once in a terminal (Docker: docker compose run --rm -it tplink-cloud-mqtt login); the bridge then reuses the saved tokens';

/**
 * The login pause, as the time left: a restart during the pause shows the
 * same end time, not a fresh full pause.
 */
function pause(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const until = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return ` No new login is tried before ${until} (${seconds} s left; cloud.authCooldownS) unless the credentials change.`;
}

function withCode(error: CloudError | undefined): string {
  return error?.code === undefined ? '' : ` (${error.code})`;
}

/** Why a cloud refused to log in, and what the user does about it. */
export function loginRefusalHint(cloud: CloudName, kind: LoginRefusal, error?: CloudError): string {
  const retryAfter = error?.retryAfterS;
  switch (kind) {
    case 'auth_failed':
      return `${cloud}: login refused: wrong e-mail or password${withCode(error)}. Fix ${CREDENTIALS[cloud]}.${pause(retryAfter)}`;
    case 'account_locked':
      return `${cloud}: login refused: the account is locked${withCode(error)}, usually after too many failed logins. Wait until TP-Link unlocks it (or reset the password in the app), then restart.${pause(retryAfter)}`;
    case 'mfa_required':
      return `${cloud}: login needs a two-factor code: ${LOGIN_COMMAND_HINT}.`;
  }
}

export function isLoginRefusal(status: string): status is LoginRefusal {
  return status === 'auth_failed' || status === 'account_locked' || status === 'mfa_required';
}

