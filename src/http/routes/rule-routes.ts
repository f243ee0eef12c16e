/**
 * The rules API (告警规则): the rules and their versions, a new version from YAML (administrators),
 * a check without saving, and a dry run of a draft over the stored readings of its devices. A
 * saved version is in force for the next reading: the registry holds it, and the platform
 * rebuilds the engine's runtime when the registry's active versions change.
 * Reference: docs/reference/administration.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole, type Principal } from '../../auth/principal.ts';
import { deviceType } from '../../sensing/devices/device-types.ts';
import { compileRule, parseRuleDocument, RULE_SCHEMA, type ParseRuleOptions } from '../../sensing/rules/rule-definition.ts';
import { readingsForDryRun } from '../../sensing/rules/dry-run-readings.ts';
import { devicesOfRule, dryRunRule, type DryRunDevice } from '../../sensing/rules/rule-dry-run.ts';
import { problemsError } from '../../documents/problem.ts';

/** What these routes use of the platform (and nothing more). */
export type RuleRouteDeps = Pick<Platform, 'clock' | 'org' | 'resolver' | 'rules' | 'sensing' | 'store'>;


const Loose = Type.Object({}, { additionalProperties: true });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const VersionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), version: Type.Integer({ minimum: 1 }) });
const SourceBody = Type.Union([Type.String({ maxLength: 262144 }), Type.Object({ source: Type.String({ maxLength: 262144 }) })]);
const RuleSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** The newest stored version. */
  version: Type.Integer(),
  /** The version the engine evaluates; null when no version is in force. */
  activeVersion: Type.Union([Type.Integer(), Type.Null()]),
  active: Type.Boolean(),
  deviceTypes: Type.Array(Type.String()),
  scope: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  trusted: Type.Boolean(),
  createdAt: Type.String(),
  createdBy: Type.String(),
});
const RuleView = Type.Object({ id: Type.String(), version: Type.Integer(), name: Type.String(), active: Type.Boolean(), createdAt: Type.String(), createdBy: Type.String(), source: Type.String(), definition: Loose });
const DryRunBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 262144, description: 'the draft rule (YAML or JSON text); it is not saved' }),
    hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 168, description: 'how far back to replay (default 24, at most 168)' })),
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'only this device' })),
  },
  { additionalProperties: false },
);

/** Readings replayed per dry run at most; beyond that the newest are left out and `truncated` says so. */
export const DRY_RUN_MAX_READINGS = 50_000;

export function registerRuleRoutes(app: FastifyInstance, platform: RuleRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const staff = (req: FastifyRequest, action = 'read rules'): Principal => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action });
    return p;
  };
  // Saved and checked rules must name categories the city has and metrics their devices measure
  // (the shipped files are held to the same in shipped-rules.test.ts).
  const parseOptions = (): ParseRuleOptions => ({
    knownCategories: new Set(platform.org.categories().map((c) => c.code)),
    metricsOf: (type) => {
      const t = deviceType(type);
      return t === undefined ? undefined : new Set(t.metrics.map((m) => m.name));
    },
  });
  const check = (source: string) => {
    const parsed = parseRuleDocument(source, undefined, parseOptions());
    if (!parsed.ok) throw problemsError('RULE_INVALID', parsed.problems);
    return parsed.rules;
  };
  const within = (code: string | null, ancestor: string): boolean => {
    const r = platform.resolver();
    for (let c = code; c; c = r.get(c)?.parentCode ?? null) if (c === ancestor) return true;
    return false;
  };

  app.get('/api/v1/rules/schema', { schema: { tags: ['rules'], summary: 'The JSON Schema of a rule (YAML) file; public', response: { 200: Loose } } }, async () => RULE_SCHEMA as unknown as Record<string, unknown>);

  app.get(
    '/api/v1/rules',
    { schema: { tags: ['rules'], summary: '告警规则 — every rule: its newest version, the version in force, and whether it is active', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(RuleSummary) }) }) } },
    async (req) => {
      staff(req);
      const newest = await platform.rules.newestVersions();
      return {
        items: newest.map((r) => {
          const def = JSON.parse(r.definition) as { deviceTypes?: string[]; scope?: string; category?: string | null; trusted?: boolean };
          const inForce = platform.rules.latest(r.id);
          return {
            id: r.id,
            name: r.name,
            version: r.version,
            activeVersion: inForce?.version ?? null,
            active: inForce !== undefined,
            deviceTypes: def.deviceTypes ?? [],
            scope: def.scope ?? 'device',
            category: def.category ?? null,
            trusted: def.trusted === true,
            createdAt: r.createdAt,
            createdBy: r.createdBy,
          };
        }),
      };
    },
  );

  app.post<{ Body: string | { source: string } }>(
    '/api/v1/rules',
    {
      schema: {
        tags: ['rules'],
        summary: 'Store a rule file (YAML as text/yaml, or JSON {source}; one rule or a list) as the next version of each rule that changed (administrators); in force for the next reading. Refused (422 RULE_INVALID) with every problem, its path and line',
        security: bearer,
        body: SourceBody,
        response: withProblems({ 201: Type.Object({ items: Type.Array(Loose) }), 200: Type.Object({ items: Type.Array(Loose) }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'change rules' });
      const source = typeof req.body === 'string' ? req.body : req.body.source;
      check(source);
      const saved = await platform.rules.save(source, p);
      return reply.code(saved.some((s) => s.created) ? 201 : 200).send({ items: saved.map((s) => ({ ...s })) });
    },
  );

  app.post<{ Body: string | { source: string } }>(
    '/api/v1/rules/validate',
    {
      schema: {
        tags: ['rules'],
        summary: 'Check a rule file without saving it: every problem with its path, line and message (in Chinese and English)',
        security: bearer,
        body: SourceBody,
        response: withProblems({ 200: Type.Object({ ok: Type.Boolean(), problems: Type.Array(Loose), rules: Type.Array(Loose) }) }),
      },
    },
    async (req) => {
      staff(req);
      const source = typeof req.body === 'string' ? req.body : req.body.source;
      const parsed = parseRuleDocument(source, undefined, parseOptions());
      return parsed.ok
        ? { ok: true, problems: [], rules: parsed.rules.map((r) => ({ id: r.id, name: r.name, inForce: platform.rules.latest(r.id)?.version ?? null })) }
        : { ok: false, problems: parsed.problems.map((x) => ({ ...x })), rules: [] };
    },
  );

  app.post<{ Body: Static<typeof DryRunBody> }>(
    '/api/v1/rules/dry-run',
    {
      schema: {
        tags: ['rules'],
        summary: '规则试运行 — replay a draft rule (not saved) from a fresh state over the stored readings of the devices it reads in the last hours (default 24, at most 168): the alerts it would raise, change and clear, with device, time, severity and value. Writes nothing',
        security: bearer,
        body: DryRunBody,
        response: withProblems({ 200: Loose }),
      },
    },
    async (req) => {
      const p = staff(req, 'dry-run rules');
      const defs = check(req.body.source);
      const to = platform.clock.now().toISOString();
      const hours = req.body.hours ?? 24;
      const from = new Date(Date.parse(to) - hours * 3_600_000).toISOString();
      // Staff below the city replay the devices of their own area only.
      const visible = (d: { jurisdictionCode: string | null }) => hasRole(p, 'admin') || (p.jurisdictionCode !== null && within(d.jurisdictionCode, p.jurisdictionCode));
      const all: DryRunDevice[] = [...platform.sensing.devices.all()].filter((d) => visible(d) && (!req.body.deviceId || d.id === req.body.deviceId));
      if (req.body.deviceId && all.length === 0) throw new CityLoopError('NOT_FOUND', { what: '设备/device', id: req.body.deviceId });
      const rules = defs.map(compileRule);
      const ids = [...new Set(rules.flatMap((r) => devicesOfRule(r, all).map((d) => d.id)))];
      const { readings, truncated } = await readingsForDryRun(platform.store.db, ids, from, to, DRY_RUN_MAX_READINGS);
      return {
        window: { from, to, hours },
        readings: readings.length,
        truncated,
        rules: rules.map((r) => {
          const inForce = platform.rules.latest(r.id);
          return { ...dryRunRule(r, all, readings, { from, to }), inForce: inForce?.version ?? null };
        }),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/rules/:id',
    { schema: { tags: ['rules'], summary: 'A rule: the version in force (else the newest), its YAML and its data', security: bearer, params: IdParams, response: withProblems({ 200: RuleView }) } },
    async (req) => {
      staff(req);
      const inForce = platform.rules.latest(req.params.id);
      let version = inForce?.version;
      if (version === undefined) {
        const all = await platform.rules.versions(req.params.id);
        if (all.length === 0) throw new CityLoopError('NOT_FOUND', { what: 'rule', id: req.params.id });
        version = all[all.length - 1]!.version;
      }
      return viewOf(await platform.rules.get(req.params.id, version));
    },
  );

  for (const on of [false, true]) {
    app.post<{ Params: Static<typeof IdParams> }>(
      on ? '/api/v1/rules/:id/activate' : '/api/v1/rules/:id/deactivate',
      {
        schema: {
          tags: ['rules'],
          summary: on
            ? 'Switch a rule on again (administrators): a new version, its newest text in force for the next reading'
            : 'Switch a rule off (administrators): a new version marked inactive; the engine no longer evaluates it (alerts it raised stay until handled)',
          security: bearer,
          params: IdParams,
          body: Type.Object({}, { additionalProperties: false, description: 'nothing (`{}`, or no body at all): who and when are recorded with the version' }),
          response: withProblems({ 200: Type.Object({ id: Type.String(), version: Type.Integer(), created: Type.Boolean(), active: Type.Boolean() }) }),
        },
        // A plain client posts the switch with no body at all: read as `{}`.
        preValidation: (req, _reply, done) => {
          req.body ??= {};
          done();
        },
      },
      async (req) => {
        const p = requirePrincipal(req);
        if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: on ? 'switch a rule on' : 'switch a rule off' });
        return { ...(await platform.rules.setActive(req.params.id, on, p)) };
      },
    );
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/rules/:id/versions',
    { schema: { tags: ['rules'], summary: 'Every version of a rule, oldest first, with who stored it and when', security: bearer, params: IdParams, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => {
      staff(req);
      const items = await platform.rules.versions(req.params.id);
      if (items.length === 0) throw new CityLoopError('NOT_FOUND', { what: 'rule', id: req.params.id });
      return { items: items.map((v) => ({ ...v })) };
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/api/v1/rules/:id/versions/:version',
    { schema: { tags: ['rules'], summary: 'One version of a rule: its YAML and its data', security: bearer, params: VersionParams, response: withProblems({ 200: RuleView }) } },
    async (req) => {
      staff(req);
      return viewOf(await platform.rules.get(req.params.id, req.params.version));
    },
  );
}

function viewOf(v: Awaited<ReturnType<Platform['rules']['get']>>) {
  return { id: v.info.id, version: v.version, name: v.info.name, active: v.info.active, createdAt: v.info.createdAt, createdBy: v.info.createdBy, source: v.source, definition: v.rule.definition as unknown as Record<string, unknown> };
}


