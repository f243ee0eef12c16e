/**
 * `cityloop bench models`: the flow models' speed and accuracy in one object of flat figures —
 * terrain (fill of 16 M cells, the r.lake equivalent), the local-inertial flood solver (cell
 * updates on a 2000 × 2000 rain, the Merewether flood against its observations and TUFLOW) and the
 * dam-break solver (Ritter and Stoker exact solutions, Malpasset against its observations).
 * Needs the shared benchmark data (`../shared/data`, or `--data` through MODELS_DATA_DIR).
 */
import { runTerrainBench } from './models-terrain.ts';
import { runFloodBench } from './models-flood.ts';
import { runDamBreakBench } from './models-dambreak.ts';

export async function runModelsBench(opts: { log: (m: string) => void; dataDir?: string }) {
  const dataDir = opts.dataDir ?? process.env.MODELS_DATA_DIR ?? undefined;
  opts.log('terrain: fill of 4000 × 4000 cells, lake on 2000 × 2000 …');
  const terrain = await runTerrainBench({ log: opts.log, demPath: dataDir ? `${dataDir}/dem/whitebox-sample-dem.tif` : undefined });
  opts.log('flood: local-inertial solver, synthetic 2000 × 2000 rain, then Merewether …');
  const flood = await runFloodBench({ log: opts.log, dataDir });
  opts.log('dam break: Ritter and Stoker strips, then Malpasset to 4000 s …');
  const dam = await runDamBreakBench({ log: opts.log, dataDir });
  return {
    fillCellsPerSecond: Math.round(terrain.fillCellsPerSecond),
    lakeCellsPerSecond: Math.round(terrain.lakeCellsPerSecond),
    inertialCellUpdatesPerSecond: Math.round(flood.inertialCellUpdatesPerSecond),
    sweCellUpdatesPerSecond: Math.round(dam.sweCellUpdatesPerSecond),
    malpassetSeconds: round(dam.malpassetSeconds, 1),
    merewetherSeconds: round(flood.merewetherSeconds, 1),
    ritterL1: dam.ritterL1,
    stokerL1: dam.stokerL1,
    merewetherPeakStageRmseM: round(flood.merewetherPeakStageRmseM, 3),
    tuflowPeakStageRmseM: round(flood.tuflowPeakStageRmseM, 3),
    malpassetTravelTimeErrorPct: round(dam.malpassetTravelTimeErrorPct, 2),
    // the figures behind them
    fillSeconds16M: round(terrain.fillSeconds16M, 2),
    fillSeconds16MTwoThreads: round(terrain.fillSeconds16MTwoThreads, 2),
    fillCpuSeconds16M: round(terrain.fillCpuSeconds16M, 2),
    lakeSeconds4M: round(terrain.lakeSeconds4M, 3),
    inertialCellUpdatesPerCpuSecond: Math.round(flood.inertialCellUpdatesPerCpuSecond),
    merewetherMassErrorPct: flood.merewetherMassErrorPct,
    stokerOrder: round(dam.stokerOrder, 2),
    malpassetTravelTimeAB: round(dam.malpassetTravelTimeAB, 0),
    malpassetTravelTimeAC: round(dam.malpassetTravelTimeAC, 0),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
