/**
 * The sensing API: devices (registry, credentials, import, telemetry over HTTP, readings), dead
 * letters, alerts (list, one, its timeline, acknowledge / verify / dismiss / watch), the city's
 * vital signs, and pipeline statistics.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole, type Principal } from '../../auth/principal.ts';
import { checkDeviceDraft, type DeviceRecord } from '../../sensing/devices/device-draft.ts';
import { deviceChangeRefusal, mayManageDevices, maySeeDevice, type DevicePolicyLookup } from '../../sensing/devices/device-policy.ts';
import type { DeviceChangeBy } from '../../sensing/devices/device-registry.ts';
import { parseBBoxText } from '../../geo/geometry.ts';
import { DEVICE_TYPES } from '../../sensing/devices/device-types.ts';
import { ALERT_STATUSES, type AlertDoc, type AlertStatus } from '../../sensing/alerts/alert-model.ts';
import { registerRuleRoutes, type RuleRouteDeps } from './rule-routes.ts';

/** What these routes use of the platform (and nothing more). */
type SensingRouteDeps = Pick<Platform, 'org' | 'resolver' | 'sensing' | 'settings'> & RuleRouteDeps;


const Loose = Type.Object({}, { additionalProperties: true });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const DeviceBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.String({ minLength: 1, maxLength: 40 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    model: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    lon: Type.Optional(Type.Number()),
    lat: Type.Optional(Type.Number()),
    crs: Type.Optional(Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')])),
    assetId: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    unitId: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    thresholds: Type.Optional(Type.Record(Type.String(), Type.Number())),
    properties: Type.Optional(Loose),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    credentials: Type.Optional(Type.Boolean({ description: 'issue an MQTT secret (default true)' })),
  },
  { additionalProperties: false },
);
const DeviceListQuery = Type.Object({
  type: Type.Optional(Type.String({ maxLength: 40 })),
  district: Type.Optional(Type.String({ maxLength: 20 })),
  assetId: Type.Optional(Type.String({ maxLength: 200 })),
  within: Type.Optional(Type.String({ maxLength: 20, description: 'jurisdiction code' })),
  bbox: Type.Optional(Type.String({ maxLength: 120, description: 'only devices placed in this box: minLon,minLat,maxLon,maxLat (GCJ-02, like device places)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'at most this many (default 5000); `truncated` says whether more matched' })),
});
const ImportQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('geojson')])),
  dryRun: Type.Optional(Type.Boolean()),
  credentials: Type.Optional(Type.Boolean()),
});
const ReadingsQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});
const AlertListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${ALERT_STATUSES.join(', ')}` })),
  district: Type.Optional(Type.String({ maxLength: 20 })),
  deviceId: Type.Optional(Type.String({ maxLength: 64 })),
  source: Type.Optional(Type.String({ maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

/** What the API shows of a device: never its secret or its hash. */
export function deviceView(d: DeviceRecord, alerting: boolean): Record<string, unknown> {
  return {
    id: d.id,
    type: d.type,
    model: d.model,
    name: d.name,
    location: { lon: d.lon, lat: d.lat },
    jurisdictionCode: d.jurisdictionCode,
    districtCode: d.districtCode,
    assetId: d.assetId,
    unitId: d.unitId,
    thresholds: d.thresholds,
    properties: d.properties,
    hasCredentials: d.hasCredentials,
    status: d.status,
    lastSeenAt: d.lastSeenAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    alerting,
  };
}

export function alertView(a: AlertDoc): Record<string, unknown> {
  return { ...a };
}

/** A device posting its own telemetry authenticates with its id (in the path) and secret. */
function deviceSecretOf(req: FastifyRequest): string | null {
  const h = req.headers['x-device-secret'];
  return typeof h === 'string' && h.length > 0 ? h : null;
}

export function registerSensingRoutes(app: FastifyInstance, platform: SensingRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const s = () => platform.sensing;
  registerRuleRoutes(app, platform);
  const within = (code: string | null, ancestor: string): boolean => {
    const r = platform.resolver();
    for (let c = code; c; c = r.get(c)?.parentCode ?? null) if (c === ancestor) return true;
    return false;
  };
  const staffOrUnit = (req: FastifyRequest): Principal => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'system', 'operator', 'supervisor', 'unit_staff', 'grid_worker')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read sensing data' });
    return p;
  };
  const policyLookup: DevicePolicyLookup = { within, unitJurisdiction: (id) => platform.org.unit(id)?.jurisdictionCode ?? null };
  /**
   * The caller as a device manager: the role is checked now, and every change is checked against
   * the caller's ground by the registry before it writes (old place and new place alike).
   */
  const manager = (req: FastifyRequest): DeviceChangeBy => {
    const p = requirePrincipal(req);
    if (!mayManageDevices(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'manage devices' });
    return {
      actor: p,
      check: (before, after) => {
        const refusal = deviceChangeRefusal(p, before, after, policyLookup);
        if (refusal === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action: 'manage devices' });
        if (refusal === 'jurisdiction') throw new CityLoopError('FORBIDDEN_JURISDICTION');
      },
    };
  };
  const visibleDevice = (p: Principal, id: string): DeviceRecord => {
    const d = s().devices.require(id);
    if (!maySeeDevice(p, d, policyLookup)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    return d;
  };
  // Device files and CAP messages arrive as text in their own media types.
  app.addContentTypeParser(/^(text\/csv|application\/geo\+json|application\/cap\+xml|application\/xml|text\/xml)/, { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.get('/api/v1/device-types', { schema: { tags: ['sensing'], summary: 'Device types and what each measures (metric, unit, instrument range)', response: { 200: Type.Object({ items: Type.Array(Loose) }) } } }, async () => ({
    items: DEVICE_TYPES.map((t) => ({ ...t })),
  }));

  app.get<{ Querystring: Static<typeof DeviceListQuery> }>(
    '/api/v1/devices',
    { schema: { tags: ['sensing'], summary: '设备 — devices the caller may see (center staff: inside their jurisdiction; unit staff: their unit\'s), with whether an alert is active on each; `truncated` when more matched than `limit` (then the devices with an active alert come first)', security: bearer, querystring: DeviceListQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose), truncated: Type.Boolean() }) }) } },
    async (req) => {
      const p = staffOrUnit(req);
      const q = req.query;
      const bbox = q.bbox === undefined ? undefined : parseBBoxText(q.bbox);
      if (typeof bbox === 'string') throw new CityLoopError('VALIDATION_FAILED', { detail: `bbox ${bbox}` }, { errors: [`bbox: ${bbox}`] });
      const alerting = await s().alerts.activeByDevice();
      const limit = q.limit ?? 5000;
      const visible = s()
        .devices.list({ type: q.type, district: q.district, assetId: q.assetId, within: q.within, bbox }, 100_000)
        .filter((d) => maySeeDevice(p, d, policyLookup));
      // When more match than the limit, the devices with an active alert are kept first: a capped
      // answer (a dense district on the map) never leaves out one that needs someone.
      const kept = visible.length > limit ? [...visible.filter((d) => alerting.has(d.id)), ...visible.filter((d) => !alerting.has(d.id))].slice(0, limit) : visible;
      return { items: kept.map((d) => deviceView(d, alerting.has(d.id))), truncated: visible.length > limit };
    },
  );

  app.post<{ Body: Static<typeof DeviceBody> }>(
    '/api/v1/devices',
    { schema: { tags: ['sensing'], summary: 'Register a device; its MQTT secret is in the answer, once (administrators, city and district operators)', security: bearer, body: DeviceBody, response: withProblems({ 201: Type.Object({ device: Loose, secret: Type.Union([Type.String(), Type.Null()]) }) }) } },
    async (req, reply) => {
      const by = manager(req);
      const { credentials, ...rest } = req.body;
      const checked = checkDeviceDraft(rest as Record<string, unknown>);
      if (!checked.ok) throw new CityLoopError('VALIDATION_FAILED', { detail: checked.errors.join('; ') }, { errors: checked.errors });
      const r = await s().devices.create(checked.draft, { credentials: credentials !== false }, by);
      return reply.code(201).send({ device: deviceView(r.device, false), secret: r.secret });
    },
  );

  app.post<{ Querystring: Static<typeof ImportQuery>; Body: string }>(
    '/api/v1/devices/import',
    {
      schema: {
        tags: ['sensing'],
        summary: 'Import devices from CSV (text/csv) or GeoJSON (application/geo+json): all or nothing, every bad row listed; new devices get secrets (in the answer, once)',
        security: bearer,
        querystring: ImportQuery,
        body: Type.String({ maxLength: 16 * 1024 * 1024 }),
        response: withProblems({ 200: Loose }),
      },
    },
    async (req) => {
      const by = manager(req);
      const ct = String(req.headers['content-type'] ?? '');
      const format = req.query.format ?? (ct.startsWith('text/csv') ? 'csv' : 'geojson');
      const r = await s().devices.importFile(req.body, format, { dryRun: req.query.dryRun ?? false, credentials: req.query.credentials !== false }, by);
      if (r.forbidden.length > 0) {
        throw new CityLoopError('FORBIDDEN_JURISDICTION', {}, { detail: `${r.forbidden.length} row(s) outside your jurisdiction; nothing was imported`, errors: r.errors.filter((e) => r.forbidden.includes(e.index)) });
      }
      if (r.errors.length > 0) throw new CityLoopError('VALIDATION_FAILED', { detail: `${r.errors.length} row(s) refused; nothing was imported` }, { errors: r.errors });
      return { ...r, dryRun: req.query.dryRun ?? false };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/devices/:id',
    { schema: { tags: ['sensing'], summary: 'One device', security: bearer, params: IdParams, response: withProblems({ 200: Loose }) } },
    async (req) => {
      const p = staffOrUnit(req);
      const d = visibleDevice(p, req.params.id);
      return deviceView(d, (await s().alerts.activeByDevice()).has(d.id));
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof DeviceBody> }>(
    '/api/v1/devices/:id',
    { schema: { tags: ['sensing'], summary: 'Replace a device\'s description (its secret stays)', security: bearer, params: IdParams, body: DeviceBody, response: withProblems({ 200: Loose }) } },
    async (req) => {
      const by = manager(req);
      if (req.body.id !== req.params.id) throw new CityLoopError('VALIDATION_FAILED', { detail: 'id in the body differs from the path' });
      const { credentials: _c, ...rest } = req.body;
      const checked = checkDeviceDraft(rest as Record<string, unknown>);
      if (!checked.ok) throw new CityLoopError('VALIDATION_FAILED', { detail: checked.errors.join('; ') }, { errors: checked.errors });
      return deviceView(await s().devices.update(checked.draft, by), false);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/devices/:id',
    { schema: { tags: ['sensing'], summary: 'Remove a device (its readings stay for the record)', security: bearer, params: IdParams, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      await s().devices.remove(req.params.id, manager(req));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/devices/:id/secret',
    { schema: { tags: ['sensing'], summary: 'Issue a new MQTT secret; the old one stops working at once', security: bearer, params: IdParams, body: Type.Object({}, { additionalProperties: false }), response: withProblems({ 200: Type.Object({ device: Loose, secret: Type.String() }) }) } },
    async (req) => {
      const r = await s().devices.rotateSecret(req.params.id, manager(req));
      return { device: deviceView(r.device, false), secret: r.secret! };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: unknown }>(
    '/api/v1/devices/:id/telemetry',
    {
      // A telemetry message is small (TELEMETRY_MAX_BYTES, as over MQTT); depth and text as every JSON body.
      bodyLimit: platform.settings.telemetryMaxBytes,
      schema: {
        tags: ['sensing'],
        summary: 'Telemetry for a device without MQTT: {"ts","values"} or a batch; authenticate with the header X-Device-Secret (the device) or a bearer token (administrators, system gateways). Answers once the readings\' effects are durable.',
        params: IdParams,
        body: Type.Unknown({ description: '{"ts","values"}, an array of them, or {"readings":[…]}; checked by the pipeline (bad input goes to the dead letters)' }),
        response: withProblems({ 202: Type.Object({ accepted: Type.Integer(), deadLettered: Type.Integer(), reasons: Type.Array(Type.String()) }) }),
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const secret = deviceSecretOf(req);
      if (secret !== null) {
        if (!s().devices.authenticate(id, secret)) throw new CityLoopError('AUTH_INVALID_CREDENTIALS');
      } else {
        const p = requirePrincipal(req);
        if (!hasRole(p, 'admin', 'system')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'send telemetry for a device' });
        s().devices.require(id);
      }
      const r = await s().pipeline.submit(id, { json: req.body }, 'http', null);
      if (r.accepted === 0) throw new CityLoopError('TELEMETRY_REFUSED', { detail: r.reasons.join('; ').slice(0, 500) }, { reasons: r.reasons });
      return reply.code(202).send({ accepted: r.accepted, deadLettered: r.deadLettered, reasons: [...r.reasons] });
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ReadingsQuery> }>(
    '/api/v1/devices/:id/readings',
    { schema: { tags: ['sensing'], summary: 'A device\'s readings in a time range, oldest first (for charts)', security: bearer, params: IdParams, querystring: ReadingsQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => {
      const p = staffOrUnit(req);
      visibleDevice(p, req.params.id);
      return { items: await s().readings(req.params.id, req.query) };
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/v1/dead-letters',
    { schema: { tags: ['sensing'], summary: '死信 — telemetry and events that were refused, newest first, with the reason (administrators)', security: bearer, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }), response: withProblems({ 200: Type.Object({ total: Type.Integer(), items: Type.Array(Loose) }) }) } },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read dead letters' });
      return s().deadLetters(req.query.limit ?? 100);
    },
  );

  app.get(
    '/api/v1/sensing/stats',
    { schema: { tags: ['sensing'], summary: 'Ingest counters: readings accepted, dead letters, refused connects/publishes/subscriptions, queue depth', security: bearer, response: withProblems({ 200: Loose }) } },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read ingest statistics' });
      return { ...s().pipeline.stats, devices: s().devices.size };
    },
  );

  // ─── alerts ─────────────────────────────────────────────────────────────────────────────
  app.get<{ Querystring: Static<typeof AlertListQuery> }>(
    '/api/v1/alerts',
    { schema: { tags: ['alerts'], summary: '预警 — alerts the caller may see, newest first', security: bearer, querystring: AlertListQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }) } },
    async (req) => {
      const p = requirePrincipal(req);
      const status = req.query.status ? req.query.status.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
      for (const st of status ?? []) if (!(ALERT_STATUSES as readonly string[]).includes(st)) throw new CityLoopError('VALIDATION_FAILED', { detail: `status: unknown status ${st}` });
      const r = await s().alerts.list(p, { status: status as AlertStatus[] | undefined, district: req.query.district, deviceId: req.query.deviceId, source: req.query.source, limit: req.query.limit, cursor: req.query.cursor });
      return { items: r.items.map(alertView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/alerts/:id',
    { schema: { tags: ['alerts'], summary: 'One alert with its evidence: the device\'s recent readings, the camera snapshot', security: bearer, params: IdParams, response: withProblems({ 200: Loose }) } },
    async (req) => {
      const p = requirePrincipal(req);
      const a = await s().alerts.get(p, req.params.id);
      const series = a.deviceId ? await s().readings(a.deviceId, { to: a.lastAt, limit: 120, latest: true }) : [];
      const snapshot = typeof a.evidence.snapshotSha256 === 'string' ? { sha256: a.evidence.snapshotSha256 } : null;
      return { ...alertView(a), evidence: { ...a.evidence, readings: series, ...(snapshot ? { snapshot } : {}) } };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/alerts/:id/timeline',
    { schema: { tags: ['alerts'], summary: 'The alert\'s events: who did what, when and why', security: bearer, params: IdParams, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => ({ items: await s().alerts.timeline(requirePrincipal(req), req.params.id) }),
  );

  const NoteBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NoteBody> }>(
    '/api/v1/alerts/:id/acknowledge',
    { schema: { tags: ['alerts'], summary: '接警 — someone has seen the alert and is on it', security: bearer, params: IdParams, body: NoteBody, response: withProblems({ 200: Loose }) } },
    async (req) => alertView(await s().alerts.acknowledge(requirePrincipal(req), req.params.id, req.body?.note ?? null)),
  );

  const VerifyBody = Type.Object(
    { note: Type.Optional(Type.String({ maxLength: 2000 })), planId: Type.Optional(Type.String({ maxLength: 64 })), categoryCode: Type.Optional(Type.String({ maxLength: 100 })) },
    { additionalProperties: false },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VerifyBody> }>(
    '/api/v1/alerts/:id/verify',
    { schema: { tags: ['alerts'], summary: '核实 — confirm the alert: a case opens and its plan runs (the owning center, or one above)', security: bearer, params: IdParams, body: VerifyBody, response: withProblems({ 200: Type.Object({ alert: Loose, case: Loose }) }) } },
    async (req) => {
      const r = await s().alerts.verify(requirePrincipal(req), req.params.id, { note: req.body?.note ?? null, planId: req.body?.planId, categoryCode: req.body?.categoryCode });
      return { alert: alertView(r.alert), case: { id: r.case.id, number: r.case.number, state: r.case.state, title: r.case.title, planId: r.case.plan?.id ?? null, tasks: r.case.tasks.length } };
    },
  );

  const DismissBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DismissBody> }>(
    '/api/v1/alerts/:id/dismiss',
    { schema: { tags: ['alerts'], summary: '排除 — a false alarm, with the reason', security: bearer, params: IdParams, body: DismissBody, response: withProblems({ 200: Loose }) } },
    async (req) => alertView(await s().alerts.dismiss(requirePrincipal(req), req.params.id, req.body.reason)),
  );

  const WatchBody = Type.Object({ unitId: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WatchBody> }>(
    '/api/v1/alerts/:id/watch',
    { schema: { tags: ['alerts'], summary: 'A unit follows the alert (itself, or added by a center): several bureaus may watch one alert', security: bearer, params: IdParams, body: WatchBody, response: withProblems({ 200: Loose }) } },
    async (req) => {
      const p = requirePrincipal(req);
      const unitId = req.body?.unitId ?? p.unitId;
      if (!unitId) throw new CityLoopError('VALIDATION_FAILED', { detail: 'unitId: which unit is to watch' });
      return alertView(await s().alerts.watch(p, req.params.id, unitId));
    },
  );

  // ─── camera events ──────────────────────────────────────────────────────────────────────
  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/camera-events',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Video-AI event webhook (渣土车撒漏 …): enriched with the muck-truck chain, raised as an alert when it is worth it. Authenticate with X-Device-Secret (the camera\'s) or a bearer token (administrators, system gateways). A redelivered event is recognised.',
        body: Loose,
        response: withProblems({ 201: Loose, 200: Loose }),
      },
    },
    async (req, reply) => {
      const cameraId = typeof req.body?.cameraId === 'string' ? req.body.cameraId : typeof req.body?.camera === 'string' ? req.body.camera : null;
      const secret = deviceSecretOf(req);
      if (secret !== null) {
        if (!cameraId || !s().devices.authenticate(cameraId, secret)) throw new CityLoopError('AUTH_INVALID_CREDENTIALS');
      } else {
        const p = requirePrincipal(req);
        if (!hasRole(p, 'admin', 'system')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'send camera events' });
      }
      const r = await s().cameraEvent(req.body, cameraId ? { cameraId } : {});
      return reply.code(r.duplicate ? 200 : 201).send({ id: r.id, duplicate: r.duplicate, enrichment: r.enrichment, alert: r.alert ? alertView(r.alert) : null });
    },
  );

  // ─── CAP ────────────────────────────────────────────────────────────────────────────────
  app.post<{ Body: string | { url: string } }>(
    '/api/v1/cap',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Import a CAP 1.2 (or 1.1) warning (application/cap+xml) — or {"url"} of a feed or message to fetch now. Areas become the districts they touch, an alert on each; Update and Cancel follow their references. Our own exports (CAP_SENDER) are recognised (200, ownMessage) and raise nothing. The URL must pass the outbound policy (OUTBOUND_ALLOW_HOSTS; 422 OUTBOUND_REFUSED, 502 OUTBOUND_FAILED). DTDs and entities are refused. (administrators, city and district operators, system gateways)',
        security: bearer,
        body: Type.Union([Type.String({ maxLength: 1024 * 1024 }), Type.Object({ url: Type.String({ maxLength: 2000 }) })]),
        response: withProblems({ 200: Loose, 201: Loose }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'system') && !mayManageDevices(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'import CAP warnings' });
      if (typeof req.body === 'object') {
        if (!hasRole(p, 'admin', 'system')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'make the server fetch a URL' });
        // The outbound policy is the one judge of the URL: 422 OUTBOUND_REFUSED, 502 OUTBOUND_FAILED.
        return reply.code(200).send(await s().cap.poll(req.body.url));
      }
      const r = await s().cap.import(req.body, p.username);
      // 200 for a message already kept (duplicate) or our own export recognised (ownMessage).
      return reply.code(r.duplicate || r.ownMessage ? 200 : 201).send(r);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/alerts/:id/cap',
    { schema: { tags: ['alerts'], summary: 'The alert as a CAP 1.2 message (application/cap+xml), valid against CAP-v1.2.xsd', security: bearer, params: IdParams, produces: ['application/cap+xml'] } },
    async (req, reply) => {
      const a = await s().alerts.get(requirePrincipal(req), req.params.id);
      const xml = s().cap.exportAlert(a, { sender: platform.settings.capSender });
      return reply.type('application/cap+xml; charset=utf-8').send(xml);
    },
  );

  // ─── vital signs ────────────────────────────────────────────────────────────────────────
  app.get<{ Querystring: { jurisdiction?: string } }>(
    '/api/v1/indicators',
    { schema: { tags: ['sensing'], summary: '城市体征 — the six categories of vital signs of a jurisdiction (default: the caller\'s), computed live, with their risk levels', security: bearer, querystring: Type.Object({ jurisdiction: Type.Optional(Type.String({ maxLength: 20 })) }), response: withProblems({ 200: Loose }) } },
    async (req) => {
      const p = staffOrUnit(req);
      const code = req.query.jurisdiction ?? p.jurisdictionCode ?? platform.resolver().list('city')[0]?.code;
      if (!code || !platform.resolver().get(code)) throw new CityLoopError('NOT_FOUND', { what: '辖区/jurisdiction', id: code ?? '' });
      if (!hasRole(p, 'admin', 'system') && !(p.jurisdictionCode && within(code, p.jurisdictionCode))) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      return s().indicators(code);
    },
  );
}
