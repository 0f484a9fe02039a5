/**
 * Programmatic use: run the bridge inside another Node.js process, or the
 * simulated cloud in its tests. The CLI (`tplink-cloud-mqtt`) is the usual way in.
 */
export { Bridge } from './runtime/bridge.js';
export { ConfigError, loadConfig, type AppConfig, type LoadOptions } from './config/load.js';
export { createLogger, type Logger } from './logger.js';
export { startSimulator } from './simulator/index.js';
export type { Simulator, SimulatorOptions, FaultOptions } from './simulator/types.js';
export type { DeviceNode, NodeState, Feature, FeatureSet } from './model/node.js';
export { VERSION } from './version.js';
