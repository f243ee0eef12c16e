import type { ColumnType, Generated } from 'kysely';
import type { EvacuationTable, GridPopulationTable } from './schema-impact.ts';

export type { EvacuationTable, GridPopulationTable };
import type { AnalysisTable } from './schema-analyses.ts';

export type { AnalysisTable };

/** A nullable column added later: optional when a row is inserted. */
type AddedColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;

/**
 * The tables of one CityLoop store, the same on every dialect. Times are ISO-8601 UTC strings
 * (sortable as text on both dialects), JSON is stored as text, booleans as 0/1: one shape, no
 * vendor types.
 */
export interface Database {
  jurisdictions: JurisdictionTable;
  centers: CenterTable;
  units: UnitTable;
  users: UserTable;
  auth_tokens: AuthTokenTable;
  categories: CategoryTable;
  cases: CaseTable;
  case_centers: CaseCenterTable;
  case_search: CaseSearchTable;
  case_views: CaseViewTable;
  tasks: TaskTable;
  attachments: AttachmentTable;
  events: EventTable;
  log_head: LogHeadTable;
  timers: TimerTable;
  outbox: OutboxTable;
  counters: CounterTable;
  settings: SettingTable;
  assets: AssetTable;
  plans: PlanTable;
  routing_tables: RoutingTableRow;
  rules: PlanTable;
  devices: DeviceTable;
  readings: ReadingTable;
  dead_letters: DeadLetterTable;
  rule_states: RuleStateTable;
  alerts: AlertTable;
  cap_messages: CapMessageTable;
  muck_sites: MuckSiteTable;
  muck_permits: MuckPermitTable;
  muck_trucks: MuckTruckTable;
  camera_events: CameraEventTable;
  category_versions: CategoryVersionTable;
  analyses: AnalysisTable;
  rasters: RasterTable;
  grid_population: GridPopulationTable;
  evacuations: EvacuationTable;
}

export interface DeviceTable {
  id: string;
  type: string;
  model: string | null;
  name: string;
  /** GCJ-02, like every stored point. */
  lon: number;
  lat: number;
  jurisdiction_code: string | null;
  district_code: string | null;
  asset_id: string | null;
  unit_id: string | null;
  /** JSON object: rule parameters this device overrides (`{"raise": 0.6}`). */
  thresholds: string;
  properties: string;
  /** SHA-256 of the device's random secret; null for a device without MQTT credentials. */
  secret_hash: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

export interface ReadingTable {
  device_id: string;
  ts: string;
  /** JSON object of the reading's named values. */
  payload: string;
  received_at: string;
}

export interface DeadLetterTable {
  id: string;
  received_at: string;
  source: string;
  device_id: string | null;
  topic: string | null;
  reason: string;
  payload: string;
}

export interface RuleStateTable {
  rule_id: string;
  subject_key: string;
  state: string;
  wake_at: string | null;
  updated_at: string;
}

export interface AlertTable {
  id: string;
  number: string;
  dedup_key: string;
  active_key: string | null;
  source: string;
  status: string;
  severity: string;
  rule_id: string | null;
  device_id: string | null;
  asset_id: string | null;
  district_code: string | null;
  jurisdiction_code: string | null;
  owner_center_id: string | null;
  case_id: string | null;
  first_at: string;
  last_at: string;
  updated_at: string;
  version: number;
  doc: string;
}

export interface CapMessageTable {
  sender: string;
  identifier: string;
  sent: string;
  msg_type: string;
  status: string;
  received_at: string;
  received_by: string;
  summary: string;
  xml: string;
}

export interface MuckSiteTable {
  id: string;
  kind: string;
  name: string;
  geometry: string;
  district_code: string | null;
  properties: string;
}

export interface MuckPermitTable {
  id: string;
  number: string;
  company: string;
  excavation_site_id: string;
  disposal_site_id: string;
  /** GeoJSON LineString (GCJ-02): the approved route. */
  route: string;
  valid_from: string;
  valid_to: string;
  status: string;
  properties: string;
}

export interface MuckTruckTable {
  plate: string;
  permit_id: string | null;
  company: string;
  properties: string;
}

export interface CameraEventTable {
  id: string;
  camera_id: string;
  event_type: string;
  plate: string | null;
  confidence: number;
  snapshot_sha256: string | null;
  at: string;
  received_at: string;
  enrichment: string;
  alert_id: string | null;
}

export interface RoutingTableRow {
  version: number;
  source: string;
  created_at: string;
  created_by: string;
}

/** A raster kept under DATA_DIR/rasters/ (src/raster/raster-store.ts); its cells are in the file. */
export interface RasterTable {
  id: string;
  name: string;
  kind: string;
  crs: string;
  width: number;
  height: number;
  origin_x: number;
  origin_y: number;
  cell_width: number;
  cell_height: number;
  /** smallest and largest value with data */
  min_value: number | null;
  max_value: number | null;
  /** the box in WGS-84 */
  west: number;
  south: number;
  east: number;
  north: number;
  source_nodata: number | null;
  /** the name of the file it was imported from */
  source_file: string | null;
  tile_size: number;
  owner_center_id: string;
  created_by: string;
  created_at: string;
  sha256: string;
  deleted_at: string | null;
  deleted_by: string | null;
  delete_reason: string | null;
}

export interface AssetTable {
  id: string;
  type: string;
  name: string | null;
  geometry: string;
  properties: string;
  unit_id: string | null;
  jurisdiction_code: string | null;
  generated: number;
  min_x: number;
  min_y: number;
  max_x: number;
  max_y: number;
}

export interface PlanTable {
  id: string;
  version: number;
  name: string;
  source: string;
  definition: string;
  created_at: string;
  created_by: string;
  active: number;
}

export interface JurisdictionTable {
  code: string;
  parent_code: string | null;
  level: string;
  name: string;
  geometry: string | null;
  generated: number;
  properties: string;
  min_x: number | null;
  min_y: number | null;
  max_x: number | null;
  max_y: number | null;
}

export interface CenterTable {
  id: string;
  tier: string;
  jurisdiction_code: string;
  name: string;
  parent_center_id: string | null;
}

export interface UnitTable {
  id: string;
  name: string;
  kind: string;
  tier: string;
  jurisdiction_code: string;
  category_codes: string;
  /** 1: disabled by an administrator (migration 0015): no new work is routed to it. */
  disabled: ColumnType<number, number | undefined, number>;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  roles: string;
  center_id: string | null;
  unit_id: string | null;
  jurisdiction_code: string | null;
  phone: string | null;
  created_at: string;
  disabled: number;
  /** The TOTP secret, sealed (src/auth/totp.ts); null: no second factor. */
  totp_secret: AddedColumn<string>;
  /** When the second factor was confirmed with a code; null while enrolment is pending. */
  totp_confirmed_at: AddedColumn<string>;
  /** The last TOTP step a code was accepted for (no code is good twice). */
  totp_last_step: AddedColumn<number>;
}

export interface AuthTokenTable {
  id: string;
  user_id: string;
  token_hash: string;
  kind: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** JSON array of scopes of an API token (src/auth/token-scopes.ts); null for sign-in sessions (every scope). */
  scopes: AddedColumn<string>;
  /** The user who issued an API token (the owner or an administrator). */
  created_by: AddedColumn<string>;
}

export interface CategoryTable {
  code: string;
  parent_code: string | null;
  name_zh: string;
  name_en: string;
  respond_within: string;
  resolve_within: string;
  basis: string;
  default_priority: string;
}

/** One saved category list (migration 0008). */
export interface CategoryVersionTable {
  version: number;
  /** JSON: the whole list, CategoryDefinition[] sorted by code. */
  items: string;
  /** JSON: { added, removed, changed } codes against the version before. */
  summary: string;
  created_at: string;
  created_by: string;
}

export interface CaseTable {
  id: string;
  number: string;
  state: string;
  source: string;
  category_code: string;
  priority: string;
  title: string;
  lng: number;
  lat: number;
  jurisdiction_code: string;
  district_code: string | null;
  street_code: string | null;
  chain: string;
  center_id: string;
  tier: string;
  reporter_user_id: string | null;
  created_at: string;
  updated_at: string;
  respond_due: string | null;
  resolve_due: string | null;
  closed_at: string | null;
  overdue: number;
  version: number;
  doc: string;
  client_request_id?: string | null;
  reporter_phone?: string | null;
  /** 0012: the plan the case runs, how routing placed an appeal, the community it lies in. */
  plan_id?: string | null;
  appeal_outcome?: string | null;
  appeal_automatic?: number | null;
  community_code?: string | null;
}

/** 0014: a case's search terms (src/store/search-terms.ts), indexed by each store's full-text engine. */
export interface CaseSearchTable {
  case_id: string;
  terms: string;
}

/** 0014: a user's saved view of the case list (a name, the filter and sort as JSON). */
export interface CaseViewTable {
  id: string;
  owner_user_id: string;
  name: string;
  query: string;
  created_at: string;
}

/** 0012: the centers sharing a joint case (跨区域协同), besides its owner. */
export interface CaseCenterTable {
  case_id: string;
  center_id: string;
}

export interface TaskTable {
  id: string;
  case_id: string;
  unit_id: string;
  role: string;
  state: string;
  round: number;
  deadline: string;
  dispatched_at: string;
  updated_at: string;
  overdue: number;
}

export interface AttachmentTable {
  id: string;
  case_id: string;
  sha256: string;
  file_name: string;
  media_type: string;
  size: number;
  created_at: string;
  created_by: string;
}

export interface EventTable {
  seq: number;
  id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  actor_id: string;
  actor: string;
  at: string;
  payload: string;
  prev_hash: string;
  hash: string;
  /** 0012: the kind of stream (case, alert, device, rule, user …); outside the hash. */
  stream_type?: string | null;
}

export interface LogHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface TimerTable {
  id: string;
  kind: string;
  case_id: string;
  task_id: string | null;
  due_at: string;
  status: string;
  created_at: string;
  fired_at: string | null;
  detail?: string | null;
}

/** An effect to carry out after the commit that decided it (see src/plans/plan-effects.ts). */
export interface OutboxTable {
  id: string;
  kind: string;
  /** The stream the effect acts on: a case (plan steps, a sensor back to normal) or an alert (its verification). */
  stream_id: string;
  /** JSON: what to do. */
  payload: string;
  /** pending → done (its outcome is an event of the case, written with this change). */
  status: string;
  attempts: number;
  /** A runner holds the effect until then; past it another may take it over (a crashed runner). */
  claimed_until: string | null;
  created_at: string;
  done_at: string | null;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface SettingTable {
  key: string;
  value: string;
}

export type { Generated };
