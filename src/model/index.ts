/** The device model and both clouds' mappings into it. */
export * from './node.js';
export type * from './inputs.js';
export { kasaNodes, kasaOutletEnergy, kasaChildId, kasaFamily, kasaKelvinRange, type KasaFamily, type KasaMapping } from '../clouds/kasa/devices.js';
export { tapoNodes, applyTapoShadow, applyTapoUsage, decodeNickname, tapoNodeId } from '../clouds/tapo/devices.js';
export { mergeClouds } from './merge.js';
export { nodeSummary, type NodeSummary } from './summary.js';
