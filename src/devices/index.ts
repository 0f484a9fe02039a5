/** The device model and both clouds' mappings into it. */
export * from './model.js';
export type * from './inputs.js';
export { kasaNodes, kasaOutletEnergy, kasaChildId, kasaFamily, kasaKelvinRange, type KasaFamily, type KasaMapping } from './kasa.js';
export { tapoNodes, applyTapoShadow, applyTapoUsage, decodeNickname, tapoNodeId } from './tapo.js';
export { mergeClouds } from './merge.js';
export { nodeSummary, type NodeSummary } from './summary.js';
