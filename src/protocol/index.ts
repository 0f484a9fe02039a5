/**
 * Protocol facts shared by the bridge's clients and the simulated cloud
 * (packages/simulator imports this module, as `tplink-cloud-mqtt/protocol`,
 * and nothing else of the bridge): V2 request signing and error codes.
 */
export * from './kasa-signing.js';
export * from './error-codes.js';
