/**
 * The tables of 灾害态势研判 / 避险转移 (migration 0018), kept beside the main schema so that it
 * does not grow further; `schema.ts` names them in `Database`.
 */

/** People per grid. */
export interface GridPopulationTable {
  grid_code: string;
  people: number;
  /** census | survey | estimate | generated */
  source: string;
  updated_at: string;
  updated_by: string;
}

/** The 避险转移 case of an analysis. */
export interface EvacuationTable {
  analysis_id: string;
  case_id: string;
  district_code: string;
  /** JSON: the people to move per community when the evacuation started */
  communities: string;
  created_at: string;
  created_by: string;
}
