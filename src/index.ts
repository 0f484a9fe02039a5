/**
 * Programmatic use: run the bridge inside another Node.js process, or the
 * simulated cloud in its tests. The CLI (`tplink-cloud-mqtt`) is the usual way in.
 */
export { Bridge } from './bridge.js';
export { ConfigError, loadConfig, type AppConfig, type LoadOptions } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { startSimulator } from './simulator/index.js';
export type { Simulator, SimulatorOptions, FaultOptions } from './simulator/types.js';
export type { DeviceNode, NodeState, Capabilities } from './devices/model.js';
export { VERSION } from './version.js';
