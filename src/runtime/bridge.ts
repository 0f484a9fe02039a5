/**
 * Wires the pieces: clouds -> sources -> node store -> publisher -> MQTT,
 * and MQTT -> command handler -> queue -> cloud. Each concern lives in its
 * own module under src/runtime/; this file only connects them.
 */
import type { AppConfig } from '../config/load.js';
import { TokenStore } from '../clouds/common/token-store.js';
import type { CloudQueue } from '../commands/queue.js';
import type { CloudError } from '../clouds/common/errors.js';
import type { CloudName } from '../model/node.js';
import { bridgeDiscovery } from '../homeassistant/discovery.js';
import { previousDiscoveryMode, rememberDiscoveryMode } from '../homeassistant/mode-marker.js';
import { isLoginRefusal, loginRefusalHint } from '../clouds/common/login-refusal.js';
import type { Logger } from '../logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../mqtt/broker.js';
import { MqttConnection } from '../mqtt/client.js';
import { TopicNameRegistry, bridgeTopic, parseInbound, subscriptions, type Inbound } from '../mqtt/topics.js';
import { CommandHandler } from '../commands/handler.js';
import { CommandIntake } from '../commands/intake.js';
import { CommandJournal } from '../commands/journal.js';
import { createCloudPipelines } from './cloud-sources.js';
import { NodeStore } from './node-store.js';
import { NodeSync } from './node-sync.js';
import { Poller } from './poller.js';
import { Publisher } from './publisher.js';
import { BridgeRequests, responseKey } from './requests.js';
import { DeviceRequest, type BridgeInfo, type BridgeState } from './api.js';
import { isUpdateValue } from '../model/feature.js';
import { RefreshGate } from './refresh.js';
import { IntakeLimit } from './intake-limit.js';
import type { CloudSource, CloudStatus } from '../clouds/common/source.js';
import { VERSION } from '../version.js';

const OFFLINE: BridgeState = { state: 'offline' };
const ONLINE: BridgeState = { state: 'online' };
/** Commands still queued after this are kept in the journal for the next start (docker stop kills at 10 s). */
const SHUTDOWN_BUDGET_MS = 4_000;
/** `get`s and bridge requests in progress at once; more are dropped and reported (a flood must cost bounded memory). */
const MAX_BUSY_MESSAGES = 1_024;
/** A refresh request this soon after the last one finished is answered by it. */
const REFRESH_RECENT_MS = 10_000;

export class Bridge {
  readonly store = new NodeStore();
  readonly sources = new Map<CloudName, CloudSource>();
  readonly queues = new Map<CloudName, CloudQueue>();
  readonly names: TopicNameRegistry;
  readonly requests = new BridgeRequests();
  readonly tokens: TokenStore;
  /** Per cloud, what the user must fix while its login is refused (cleared when it works again). */
  readonly cloudProblems = new Map<CloudName, string>();
  broker: EmbeddedBroker | undefined;
  #mqtt: MqttConnection | undefined;
  #publisher: Publisher | undefined;
  #poller: Poller | undefined;
  #sync: NodeSync | undefined;
  #commands: CommandHandler | undefined;
  #haTimer: NodeJS.Timeout | undefined;
  #intake: CommandIntake | undefined;
  #stopping = false;
  readonly #refresh: RefreshGate;
  readonly #limit: IntakeLimit;
  readonly #rejections: IntakeLimit;
  /** device_added/removed are news only after the first full read. */
  #started = false;

  constructor(
    readonly config: AppConfig,
    private readonly logger: Logger,
  ) {
    this.tokens = new TokenStore(config.stateDir, logger);
    this.names = new TopicNameRegistry(config.devices);
    const overloaded = (dropped: number, byKind: Record<string, number>): void => {
      this.logger.warn({ dropped, byKind }, 'overloaded: messages dropped unanswered (gets, bridge requests and reports of rejected sets; commands are never dropped)');
      if (this.#mqtt?.connected) this.#publisher?.event('overloaded', { dropped, by_kind: byKind }).catch(() => undefined);
    };
    this.#limit = new IntakeLimit(MAX_BUSY_MESSAGES, overloaded);
    // Rejections are quick but their own: slow gets holding the first bound must not silence them.
    this.#rejections = new IntakeLimit(MAX_BUSY_MESSAGES, overloaded);
    this.#refresh = new RefreshGate({
      run: async (lists) => {
        if (lists) await this.poller.readLists();
        await this.poller.readStates();
        await this.poller.readEnergy();
      },
      recentMs: Math.min(REFRESH_RECENT_MS, config.poll.intervalS * 1000),
      listGapMs: config.poll.listIntervalS * 1000,
    });
  }

  get id(): string {
    return `tplink_cloud_mqtt_${this.tokens.terminalUUID.slice(0, 8)}`;
  }

  get publisher(): Publisher {
    if (!this.#publisher) throw new Error('bridge not started');
    return this.#publisher;
  }

  get poller(): Poller {
    if (!this.#poller) throw new Error('bridge not started');
    return this.#poller;
  }

  get mqtt(): MqttConnection {
    if (!this.#mqtt) throw new Error('bridge not started');
    return this.#mqtt;
  }

  #starting: Promise<void> | undefined;

  /** Connects, reads every cloud once and publishes; stop() may interrupt it. */
  async start(): Promise<void> {
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { config, logger } = this;
    // Before anything else: a bridge that cannot save its id and tokens must not look healthy.
    this.tokens.ensureWritable();
    const intake = new CommandIntake(CommandJournal.open(config.stateDir, logger), (topic) => this.#classify(topic), logger);
    this.#intake = intake;
    let url = config.mqtt.url;
    if (url === '') {
      this.broker = await startEmbeddedBroker({ ...config.embeddedBroker, ...credentials(config), logger });
      url = this.broker.url;
    }
    const base = config.mqtt.baseTopic;
    this.#mqtt = await MqttConnection.connect({
      url,
      clientId: config.mqtt.clientId || `tplink-cloud-mqtt-${this.tokens.terminalUUID.slice(0, 8)}`,
      ...credentials(config),
      ...tlsFiles(config),
      rejectUnauthorized: config.mqtt.rejectUnauthorized,
      keepaliveS: config.mqtt.keepaliveS,
      // A broker's limit, where known: never send what it would drop us for (or silently discard).
      ...maxPacketSize(config, this.broker !== undefined),
      startupTimeoutMs: config.mqtt.startupTimeoutS * 1000,
      will: { topic: bridgeTopic(base, 'state'), payload: JSON.stringify(OFFLINE), retain: true, qos: 1 },
      logger,
      // Wired before connecting: the broker may deliver kept commands right after the CONNACK.
      onMessage: (topic, payload, retained, delivery) => {
        // A retained set/request is an old command replayed on subscribe: never act on it.
        if (retained) return;
        const inbound = this.#classify(topic);
        if (inbound?.type === 'set' || inbound?.type === 'malformed_set') return intake.receive(topic, inbound, payload, delivery);
        this.#limit
          .run(inbound?.type ?? 'other', () => this.#onMessage(topic, inbound, payload))
          .catch((error: unknown) => logger.error({ err: error, topic }, 'message handling failed'));
      },
    });
    if (this.#stopping) return;
    this.#publisher = new Publisher(this.#mqtt, this.names, config, this.id, logger);
    this.#createSources();
    this.#sync = new NodeSync(this.store, this.names, this.#publisher, () => this.#started, () => this.#publishInfo());
    this.#poller = new Poller([...this.sources.values()], this.store, this.#sync, config.poll, logger, config.firmware);
    this.#commands = new CommandHandler({
      store: this.store,
      publisher: this.#publisher,
      poller: this.#poller,
      sources: this.sources,
      queues: this.queues,
      resolve: (segment) => this.names.resolve(segment),
      confirmDelayMs: config.commands.confirmDelayS * 1000,
      limit: (kind, work) => this.#rejections.run(kind, work),
      ttlMs: config.commands.ttlS * 1000,
      logger,
    });
    intake.attach(this.#commands);
    this.#registerRequests();

    this.#mqtt.on('connect', (info) => {
      if (info.reconnect) void this.republish('reconnect');
    });
    await this.#mqtt.subscribe(subscriptions(base, this.#haStatusTopic()));
    await this.#publisher.bridge('state', ONLINE);
    await this.#publishBridgeDevice();
    if (this.#stopping) return;
    await this.#poller.start();
    this.#started = true;
    await this.#clearOtherDiscoveryMode();
    // Commands that waited for the device list (kept from the last run, or delivered meanwhile) run now.
    intake.goLive();
    await this.#publishInfo();
    logger.info({ nodes: this.store.size, clouds: [...this.sources.keys()] }, 'bridge started');
  }

  #createSources(): void {
    const { config, logger } = this;
    for (const [cloud, { source, queue }] of createCloudPipelines(config, this.tokens, logger)) {
      this.sources.set(cloud, source);
      this.queues.set(cloud, queue);
    }
    if (this.sources.size === 0) logger.warn('no cloud configured: set kasa.username and/or tapo.username');
    for (const source of this.sources.values()) {
      source.onStatus((status, error) => void this.#onCloudStatus(source.cloud, status, error));
    }
  }

  #classify(topic: string): Inbound | undefined {
    return parseInbound(topic, this.config.mqtt.baseTopic, this.#haStatusTopic());
  }

  /** Everything but commands (those go through the intake and its journal). */
  async #onMessage(topic: string, inbound: Inbound | undefined, payload: Buffer): Promise<void> {
    if (!inbound || this.#stopping || !this.#commands) {
      if (!inbound && topic.startsWith(`${this.config.mqtt.baseTopic}/`)) this.logger.debug({ topic }, 'ignored topic');
      return;
    }
    switch (inbound.type) {
      case 'set':
      case 'malformed_set':
        return;
      case 'get':
        await this.#commands.get(inbound.target);
        return;
      case 'bridge_request':
        return this.publisher.response(responseKey(inbound.key), await this.requests.handle(inbound.key, payload));
      case 'ha_status':
        if (payload.toString('utf8').trim() === 'online') this.#scheduleHaRepublish();
        return;
    }
  }

  #haStatusTopic(): string | undefined {
    return this.config.homeassistant.enabled ? this.config.homeassistant.statusTopic : undefined;
  }

  #scheduleHaRepublish(): void {
    if (this.#haTimer) clearTimeout(this.#haTimer);
    this.#haTimer = setTimeout(() => void this.republish('homeassistant birth'), this.config.homeassistant.republishDelayS * 1000);
    this.#haTimer.unref();
  }

  /** Discovery, state and availability of everything, whether changed or not. */
  async republish(reason: string): Promise<void> {
    this.logger.info({ reason }, 'republishing discovery and state');
    await this.publisher.bridge('state', ONLINE);
    await this.#publishBridgeDevice();
    await this.publisher.publishDiscovery(this.store.all(), true);
    await Promise.all(this.store.all().map((node) => this.publisher.publishNode(node, true)));
    // Retained too: a broker that lost its retained messages must get the device list back.
    await this.#sync?.publishDevices();
    await this.#publishInfo();
  }


  async #publishBridgeDevice(): Promise<void> {
    if (!this.config.homeassistant.enabled) return;
    for (const message of bridgeDiscovery(this.publisher.discoveryOptions())) {
      await this.mqtt.publish(message.topic, JSON.stringify(message.payload), { retain: true, qos: 1 });
    }
  }

  /** After a change of homeassistant.discovery, the other mode's retained configs go. */
  async #clearOtherDiscoveryMode(): Promise<void> {
    const { homeassistant, stateDir } = this.config;
    if (!homeassistant.enabled) return;
    const previous = previousDiscoveryMode(stateDir);
    if (previous !== undefined && previous !== homeassistant.discovery) {
      this.logger.info({ from: previous, to: homeassistant.discovery }, 'discovery mode changed: clearing the old configs');
      await this.publisher.clearOtherDiscoveryMode(this.store.all());
    }
    if (previous !== homeassistant.discovery) rememberDiscoveryMode(stateDir, homeassistant.discovery);
  }

  async #onCloudStatus(cloud: CloudName, status: CloudStatus, error?: CloudError): Promise<void> {
    this.logger.debug({ cloud, status, err: error?.message }, 'cloud status');
    if (status === 'ok') this.cloudProblems.delete(cloud);
    if (status === 'token_refused') {
      // Session logs one warning per back-off step; here the devices go unavailable and info says why.
      this.cloudProblems.set(cloud, `${cloud}: the cloud refuses every new token right after issuing it; token renewals back off exponentially and resume by themselves`);
      await this.#cloudUnavailable(cloud);
    }
    if (isLoginRefusal(status)) {
      const hint = loginRefusalHint(cloud, status, error);
      this.cloudProblems.set(cloud, hint);
      this.logger.error({ cloud, status }, `${hint} Its devices are unavailable until then.`);
      await this.#cloudUnavailable(cloud);
      await this.publisher.event('cloud_auth_failed', { cloud, reason: status });
    }
    await this.#publishInfo();
  }

  async #cloudUnavailable(cloud: CloudName): Promise<void> {
    this.store.setCloudOffline(cloud);
    await Promise.all(this.store.ofCloud(cloud).map((node) => this.publisher.publishNode(node)));
  }

  info(): BridgeInfo {
    const cloudInfo = (cloud: CloudName): BridgeInfo['clouds'][CloudName] => {
      const source = this.sources.get(cloud);
      return source
        ? { enabled: true, status: source.status(), devices: this.store.ofCloud(cloud).length, problem: this.cloudProblems.get(cloud) ?? null }
        : { enabled: false, status: 'disabled', devices: 0 };
    };
    const clouds = { kasa: cloudInfo('kasa'), tapo: cloudInfo('tapo') };
    return {
      version: VERSION,
      clouds,
      mqtt: { base_topic: this.config.mqtt.baseTopic, embedded_broker: this.broker !== undefined },
      homeassistant: { enabled: this.config.homeassistant.enabled, prefix: this.config.homeassistant.prefix, discovery: this.config.homeassistant.discovery },
      poll: { intervalS: this.config.poll.intervalS, listIntervalS: this.config.poll.listIntervalS, energyIntervalS: this.config.poll.energyIntervalS },
      device_count: this.store.size,
      last_poll_duration_s: this.#poller?.lastPollDurationS ?? null,
      last_poll_at: this.#poller?.lastPollAt?.toISOString() ?? null,
    };
  }

  async #publishInfo(): Promise<void> {
    await this.publisher.bridge('info', this.info());
  }

  #registerRequests(): void {
    this.requests
      .on('refresh', async () => {
        const outcome = await this.#refresh.request();
        return { device_count: this.store.size, merged: outcome.merged, lists: outcome.lists };
      })
      .on('health_check', () => {
        const clouds = Object.fromEntries([...this.sources].map(([cloud, source]) => [cloud, source.status()]));
        // unknown / logging_in: not decided yet (start-up, a renewal); only a refusal needs the user.
        const healthy = this.mqtt.connected && Object.values(clouds).every((status) => !isLoginRefusal(status));
        return {
          healthy,
          mqtt: this.mqtt.connected,
          clouds,
          problems: Object.fromEntries(this.cloudProblems),
          device_count: this.store.size,
          last_poll_at: this.#poller?.lastPollAt?.toISOString() ?? null,
        };
      })
      .on('info', () => this.info())
      .on('device/interview', async (body) => {
        const id = this.#deviceOf(body);
        await this.poller.interview(id);
        const node = this.store.get(id);
        return { id, features: Object.keys(node?.features ?? {}) };
      })
      .on('device/firmware_check', async (body) => {
        const id = this.#deviceOf(body);
        const checked = (await this.poller.checkFirmware([id])).includes(id);
        const node = this.store.get(id);
        const firmware = node?.state.firmware;
        if (!isUpdateValue(firmware)) throw new Error(`${node?.name ?? id} tells no firmware versions: its cloud answers no firmware check for it`);
        return { id, checked, installed_version: firmware.installed_version, latest_version: firmware.latest_version, in_progress: firmware.in_progress ?? false };
      });
  }

  /** The node a device request names: {"id": "<node id or topic name>"}. */
  #deviceOf(body: Record<string, unknown>): string {
    const parsed = DeviceRequest.safeParse(body);
    const target = parsed.success ? parsed.data.id : undefined;
    const id = target === undefined ? undefined : this.names.resolve(target);
    if (id === undefined) throw new Error(target === undefined ? 'say which device: {"id": "<name or id>"}' : `unknown device "${target.slice(0, 64)}"`);
    return id;
  }

  /**
   * Graceful stop: no new polls, queued commands carried out or reported
   * failed, `offline` published, connections and the embedded broker closed.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#haTimer) clearTimeout(this.#haTimer);
    this.#poller?.stop();
    this.#intake?.stop();
    this.#commands?.stop();
    await Promise.all([...this.queues.values()].map((queue) => queue.drain(SHUTDOWN_BUDGET_MS)));
    // A stop during start-up: let start() reach a settled point (its reads were just cancelled).
    await this.#starting?.catch(() => undefined);
    this.#poller?.stop();
    // Let each settled command publish its outcome (command_failed) before going offline.
    await this.#commands?.idle(1_000);
    if (this.#mqtt?.connected) {
      await this.publisher.bridge('state', OFFLINE).catch(() => undefined);
    }
    this.#limit.flush();
    this.#rejections.flush();
    await this.#mqtt?.end();
    await Promise.all([...this.sources.values()].map((source) => source.close()));
    await this.broker?.close();
    this.#intake?.close();
    this.logger.info('bridge stopped');
  }
}

function credentials(config: AppConfig): { username?: string; password?: string } {
  return config.mqtt.username ? { username: config.mqtt.username, password: config.mqtt.password } : {};
}

function maxPacketSize(config: AppConfig, embedded: boolean): { maxPacketSize?: number } {
  if (embedded) return { maxPacketSize: config.embeddedBroker.maxPacketSize };
  return config.mqtt.maxPacketSize > 0 ? { maxPacketSize: config.mqtt.maxPacketSize } : {};
}

function tlsFiles(config: AppConfig): { ca?: string; cert?: string; key?: string } {
  const files: { ca?: string; cert?: string; key?: string } = {};
  if (config.mqtt.ca) files.ca = config.mqtt.ca;
  if (config.mqtt.cert) files.cert = config.mqtt.cert;
  if (config.mqtt.key) files.key = config.mqtt.key;
  return files;
}
