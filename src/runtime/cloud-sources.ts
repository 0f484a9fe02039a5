/**
 * Each configured cloud's client (with its request rate limit), command
 * queue and source: what the bridge polls and commands, and what `devices`
 * lists through, so both see the same nodes.
 */
import { cloudActive, type AppConfig } from '../config/load.js';
import { KasaClient } from '../clouds/kasa/client.js';
import { KasaSource } from '../clouds/kasa/source.js';
import { TapoClient } from '../clouds/tapo/client.js';
import { TapoSource } from '../clouds/tapo/source.js';
import type { TokenStore } from '../clouds/common/token-store.js';
import { CloudQueue } from '../commands/queue.js';
import type { CloudName } from '../model/node.js';
import type { Logger } from '../logger.js';
import type { CloudSource } from '../clouds/common/source.js';

export interface CloudPipeline {
  source: CloudSource;
  queue: CloudQueue;
}

export function createCloudPipelines(config: AppConfig, tokens: TokenStore, logger: Logger): Map<CloudName, CloudPipeline> {
  const common = { cloud: config.cloud, store: tokens, logger };
  const queue = () =>
    new CloudQueue({ ttlMs: config.commands.ttlS * 1000, minIntervalMs: config.commands.minIntervalS * 1000, logger });
  const pipelines = new Map<CloudName, CloudPipeline>();
  if (cloudActive(config, 'kasa')) {
    const client = new KasaClient({ ...common, config: config.kasa, requestsPerSecond: config.rateLimit.kasaPerSecond });
    const kasaQueue = queue();
    pipelines.set('kasa', { source: new KasaSource(client, kasaQueue, logger), queue: kasaQueue });
  }
  if (cloudActive(config, 'tapo')) {
    const client = new TapoClient({ ...common, config: config.tapo, requestsPerSecond: config.rateLimit.tapoPerSecond });
    const tapoQueue = queue();
    const settings = { allowFirmwareInstall: config.firmware.allowInstall };
    pipelines.set('tapo', { source: new TapoSource(client, tapoQueue, logger, settings), queue: tapoQueue });
  }
  return pipelines;
}
