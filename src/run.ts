import type { AppConfig } from './config.js';
import type { Logger } from './logger.js';

export async function runCommand(_config: AppConfig, logger: Logger): Promise<number> {
  logger.error('run: not implemented yet');
  return 1;
}
