/**
 * Terrain analysis on a TerrainGrid (docs/reference/terrain-models.md): hydrological conditioning
 * (fill, D8, accumulation, streams, HAND) and static inundation (a lake from a seed, a river
 * stage over HAND). Pure functions on typed arrays.
 */
export { fillDepressions, type FillOptions } from './fill-depressions.ts';
export { fillDepressionsInParallel, type ParallelFillOptions } from './fill-depressions-parallel.ts';
export { D8_DCOL, D8_DROW, D8_NODATA, D8_OUTLET, D8_SINK, d8Opposite } from './d8.ts';
export { flowDirections } from './flow-directions.ts';
export { flowAccumulation, flowOrder, nearestDrainage, streams } from './flow-accumulation.ts';
export { handFromDrainage, handInundation, heightAboveNearestDrainage } from './hand.ts';
export { lakeFill, type LakeResult } from './lake-fill.ts';
export type { CellPosition, GridShape } from './terrain-input.ts';
