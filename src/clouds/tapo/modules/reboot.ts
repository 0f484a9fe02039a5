/**
 * The restart button of every Tapo device but strip sockets (they restart
 * with their strip). No shadow key restarts a device (a `desired` key the
 * device does not know is accepted by the cloud and never applied), so it
 * goes through services-sync as the device's own `device_reboot {delay: 1}`
 * (python-kasa's call), whose answer carries the device's own error code.
 */
import { REBOOT } from '../../../model/features.js';
import type { TapoModule } from '../module.js';

export const module: TapoModule = {
  name: 'reboot',
  order: 90,
  features: [REBOOT],
  detect: ({ node }) => (node.kind === 'outlet' ? [] : [REBOOT]),
  writeServices: ({ node }, desired) => (desired.reboot === undefined || node.kind === 'outlet' ? [] : [{ method: 'device_reboot', params: { delay: 1 } }]),
};
