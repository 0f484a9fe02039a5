import type { AppConfig } from './config.js';
import type { Logger } from './logger.js';

export async function demoCommand(_args: string[], _config: AppConfig, logger: Logger): Promise<number> {
  logger.error('demo: not implemented yet');
  return 1;
}
