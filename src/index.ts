/**
 * Programmatic use: run the bridge inside another Node.js process. The CLI
 * (`tplink-cloud-mqtt`) is the usual way in. The simulated cloud is a
 * separate development package, tplink-cloud-sim in packages/simulator.
 */
export { Bridge } from './runtime/bridge.js';
export { ConfigError, loadConfig, type AppConfig, type LoadOptions } from './config/load.js';
export { createLogger, type Logger } from './logger.js';
export type { DeviceNode, NodeState, Feature, FeatureSet } from './model/node.js';
export { VERSION } from './version.js';
/** The MQTT API's payload schemas (zod): parse what the bridge publishes with these. */
export {
  BridgeDevices,
  BridgeEvent,
  BridgeInfo,
  BridgeState,
  HealthResponse,
  DeviceRequest,
  InterviewRequest,
  RequestBody,
  RESPONSE_DATA,
  bridgeResponse,
  type BridgeEventData,
  type BridgeEventType,
  type BridgeResponse,
  type NodeSummary,
  type RequestKey,
  type ResponseData,
} from './runtime/api.js';
