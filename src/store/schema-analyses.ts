/** 0017: an analysis run as a durable job (src/analyses/); beside schema.ts for that file's length. */
export interface AnalysisTable {
  id: string;
  name: string | null;
  model: string;
  root_id: string;
  parent_id: string | null;
  version: number;
  state: string;
  progress: number;
  progress_message: string | null;
  inputs: string;
  raster_id: string;
  raster_sha256: string;
  input_rasters: string;
  owner_center_id: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
  summary: string | null;
  result_rasters: string | null;
  cancel_requested_at: string | null;
  trigger_key: string | null;
  attempts: number;
}
