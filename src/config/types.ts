/** The typed shape of a loaded configuration (the schema in config-schema.ts documents each option). */

export interface DeviceOverride {
  name?: string;
}

export interface AppConfig {
  mqtt: {
    url: string;
    username: string;
    password: string;
    baseTopic: string;
    clientId: string;
    keepaliveS: number;
    startupTimeoutS: number;
    ca: string;
    cert: string;
    key: string;
    rejectUnauthorized: boolean;
  };
  embeddedBroker: { host: string; port: number; maxPacketSize: number };
  homeassistant: {
    enabled: boolean;
    prefix: string;
    discovery: 'device' | 'entity';
    statusTopic: string;
    republishDelayS: number;
  };
  kasa: {
    enabled: boolean;
    username: string;
    password: string;
    url: string;
    v2Url: string;
    appVersion: string;
    caFile: string;
  };
  tapo: {
    enabled: boolean;
    username: string;
    password: string;
    accountUrl: string;
    appServerUrl: string;
    refreshUrl: string;
    appVersion: string;
    nbuAppVersion: string;
    caFile: string;
    shadowBatchSize: number;
    pageSize: number;
  };
  poll: { intervalS: number; listIntervalS: number; energyIntervalS: number; settingsIntervalS: number };
  firmware: { checkIntervalH: number; allowInstall: boolean; progressIntervalS: number };
  rateLimit: { kasaPerSecond: number; tapoPerSecond: number };
  cloud: { requestTimeoutS: number; retryDeadlineS: number; authCooldownS: number };
  commands: { ttlS: number; confirmDelayS: number; minIntervalS: number };
  stateDir: string;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; pretty: boolean | 'auto' };
  devices: Record<string, DeviceOverride>;
}
