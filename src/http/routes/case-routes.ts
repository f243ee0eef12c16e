import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { requirePrincipal } from '../request-principal.ts';
import { langOf } from '../problem.ts';
import { withProblems } from '../schemas.ts';
import { hasRole, SYSTEM_PRINCIPAL } from '../../auth/principal.ts';
import { CASE_STATE_NAMES, TASK_STATE_NAMES } from '../../cases/case-model.ts';
import { presentCase, presentEvent } from '../../cases/present-case.ts';
import { sameAttachment, tasksOfUnit } from '../../cases/case-queries.ts';
import { citizenReplies } from '../../appeals/citizen-replies.ts';
import { assertMayCommand, canSeeCase } from '../../cases/case-policy.ts';
import { findReplayedTaskEvent, REPLAY_REFUSALS, type TaskCommand } from '../../cases/task-replay.ts';
import { CaseView, EventView, ReportBody, CASE_ACTIONS, TASK_ACTIONS, IdParams, TaskParams } from './case-schemas.ts';

/** What these routes use of the platform (and nothing more). */
type CaseRouteDeps = Pick<Platform, 'actions' | 'blobs' | 'cases' | 'planner' | 'settings' | 'store'>;


/** The Idempotency-Key header of a request, if it has a usable one. */
function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const h = req.headers['idempotency-key'];
  return typeof h === 'string' && h.trim() !== '' ? h : undefined;
}


export function registerCaseRoutes(app: FastifyInstance, platform: CaseRouteDeps): void {
  app.addSchema(CaseView);
  app.addSchema(EventView);
  const bearer = [{ bearer: [] }];
  const cases = platform.cases;
  const present = (req: FastifyRequest, doc: Parameters<typeof presentCase>[0]) => {
    const p = requirePrincipal(req);
    return presentCase(doc, p, langOf(req), cases.viewContext(p, doc));
  };

  app.post<{ Body: Static<typeof ReportBody> }>(
    '/api/v1/cases',
    { schema: { tags: ['cases'], summary: '上报 — report a matter; it is placed on the map and given to the owning center', security: bearer, body: ReportBody, response: withProblems({ 201: Type.Ref('Case') }) } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const header = req.headers['idempotency-key'];
      const clientRequestId = req.body.clientRequestId ?? (typeof header === 'string' ? header : undefined);
      const doc = await cases.report(p, { ...req.body, clientRequestId });
      return reply.code(201).header('location', `/api/v1/cases/${doc.id}`).send(present(req, doc));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/cases/:id',
    { schema: { tags: ['cases'], summary: 'One case, by its id or its number (CL…)', security: bearer, params: IdParams, response: withProblems({ 200: Type.Ref('Case') }) } },
    async (req) => present(req, await cases.get(requirePrincipal(req), req.params.id)),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/cases/:id/events',
    { schema: { tags: ['cases'], summary: 'The case timeline: every event with who, when and why', security: bearer, params: IdParams, response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Ref('CaseEvent')) }) }) } },
    async (req) => {
      const p = requirePrincipal(req);
      const doc = await cases.get(p, req.params.id);
      const events = await cases.timeline(p, req.params.id);
      // The reporter inside the first event is shown as on the case itself (present-case.ts).
      return { items: events.map((e) => presentEvent(e, doc, p)) };
    },
  );

  for (const a of CASE_ACTIONS) {
    app.post<{ Params: Static<typeof IdParams>; Body: any }>(
      `/api/v1/cases/:id/${a.path}`,
      { schema: { tags: ['cases'], summary: a.summary, security: bearer, params: IdParams, body: a.body, response: withProblems({ 200: Type.Ref('Case') }) } },
      async (req) => {
        const p = requirePrincipal(req);
        const body = (req.body ?? {}) as { expectedVersion?: number };
        const doc = await cases.execute(p, req.params.id, a.toCommand({ ...body, __centerId: p.centerId }), body.expectedVersion);
        return present(req, doc);
      },
    );
  }

  for (const a of TASK_ACTIONS) {
    app.post<{ Params: Static<typeof TaskParams>; Body: any }>(
      `/api/v1/cases/:id/tasks/:taskId/${a.path}`,
      {
        schema: {
          tags: ['tasks'],
          summary: `${a.summary}. With an Idempotency-Key header a resend of what you already did answers 200 with the case as it is (header idempotent-replayed: true)`,
          security: bearer,
          params: TaskParams,
          body: a.body,
          response: withProblems({ 200: Type.Ref('Case') }),
        },
      },
      async (req, reply) => {
        const p = requirePrincipal(req);
        const body = (req.body ?? {}) as { expectedVersion?: number };
        const command = a.toCommand({ ...body, taskId: req.params.taskId }) as TaskCommand;
        try {
          return present(req, await cases.execute(p, req.params.id, command, body.expectedVersion));
        } catch (e) {
          // A phone resending after a lost answer: the log shows the first copy's effect (task-replay.ts).
          if (!(e instanceof CityLoopError) || !REPLAY_REFUSALS.has(e.code) || idempotencyKeyOf(req) === undefined) throw e;
          if (!findReplayedTaskEvent(await cases.timeline(p, req.params.id), p, command)) throw e;
          reply.header('idempotent-replayed', 'true');
          return present(req, await cases.get(p, req.params.id));
        }
      },
    );
  }

  const OverrideParams = Type.Object({ id: Type.String({ maxLength: 64 }), key: Type.String({ maxLength: 64 }) });
  const OverrideBody = Type.Object({ do: Type.Union([Type.Literal('resend'), Type.Literal('undo')]) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof OverrideParams>; Body: Static<typeof OverrideBody> }>(
    '/api/v1/cases/:id/actions/:key/override',
    {
      schema: {
        tags: ['plans'],
        summary: '人工干预 — an operator resends a plan\'s automatic step or undoes it (e.g. restores the signals before closing); the outcome is recorded',
        security: bearer,
        params: OverrideParams,
        body: OverrideBody,
        response: withProblems({ 200: Type.Ref('Case') }),
      },
    },
    async (req) => present(req, await platform.actions.override(requirePrincipal(req), req.params.id, req.params.key, req.body.do)),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/cases/:id/replies',
    {
      schema: {
        tags: ['cases'],
        summary: '给市民的答复 — what the reporter is told at each step (Chinese by default)',
        security: bearer,
        params: IdParams,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Object({ at: Type.String(), type: Type.String(), text: Type.String() })) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const doc = await cases.get(p, req.params.id);
      const own = citizenReplies(doc, await cases.timeline(p, doc.id), langOf(req));
      if (!doc.mergedInto) return { items: own };
      // A supporter ("me too") is answered with the case theirs was merged into, from the merge on.
      const into = await cases.get(SYSTEM_PRINCIPAL, doc.mergedInto.id);
      const events = await cases.timeline(SYSTEM_PRINCIPAL, into.id);
      const joined = events.findIndex((e) => e.type === 'SupporterAdded' && e.payload.caseId === doc.id);
      const later = citizenReplies(into, events.slice(joined + 1), langOf(req));
      return { items: [...own, ...later] };
    },
  );

  const DuplicateBody = Type.Object(
    {
      categoryCode: Type.String({ minLength: 1, maxLength: 100 }),
      lng: Type.Number({ minimum: -180, maximum: 180 }),
      lat: Type.Number({ minimum: -90, maximum: 90 }),
      crs: Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')]),
      text: Type.String({ minLength: 1, maxLength: 5000 }),
    },
    { additionalProperties: false },
  );
  app.post<{ Body: Static<typeof DuplicateBody> }>(
    '/api/v1/cases/duplicates',
    {
      schema: {
        tags: ['cases'],
        summary: '查重 — likely duplicates before saving: same category, within 250 m and 72 hours, similar text',
        security: bearer,
        body: DuplicateBody,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Object({ case: Type.Ref('Case'), distanceMeters: Type.Number(), similarity: Type.Number() })) }) }),
      },
    },
    async (req) => {
      const found = await cases.findDuplicates(requirePrincipal(req), req.body);
      return { items: found.map((f) => ({ ...f, case: present(req, f.case) })) };
    },
  );

  const PhoneParams = Type.Object({ phone: Type.String({ minLength: 5, maxLength: 30 }) });
  app.get<{ Params: Static<typeof PhoneParams> }>(
    '/api/v1/hotline/callers/:phone/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '12345 — a caller\'s earlier appeals, by phone number (hotline agents and center staff)',
        security: bearer,
        params: PhoneParams,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Ref('Case')) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'look up callers' });
      return { items: (await cases.casesOfCaller(p, req.params.phone)).map((d) => present(req, d)) };
    },
  );

  const MergeBody = Type.Object({ intoCaseId: Type.String({ maxLength: 64 }), reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof MergeBody> }>(
    '/api/v1/cases/:id/merge',
    {
      schema: {
        tags: ['cases'],
        summary: '合并 — merge this duplicate into another case; its reporter becomes a supporter answered with that case',
        security: bearer,
        params: IdParams,
        body: MergeBody,
        response: withProblems({ 200: Type.Object({ duplicate: Type.Ref('Case'), into: Type.Ref('Case') }) }),
      },
    },
    async (req) => {
      const r = await cases.merge(requirePrincipal(req), req.params.id, req.body.intoCaseId, req.body.reason);
      return { duplicate: present(req, r.duplicate), into: present(req, r.into) };
    },
  );

  const PreviewQuery = Type.Object({ planId: Type.Optional(Type.String({ maxLength: 64 })), lang: Type.Optional(Type.String()) });
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PreviewQuery> }>(
    '/api/v1/cases/:id/plan-preview',
    { schema: { tags: ['plans'], summary: 'Dry run of the plan for this case: which plan, which tier, which units, which actions; changes nothing', security: bearer, params: IdParams, querystring: PreviewQuery, response: withProblems({ 200: Type.Ref('PlanRun') }) } },
    async (req) => {
      const p = requirePrincipal(req);
      const doc = await cases.get(p, req.params.id);
      // The dry run shows the units and steps the center would set going: for those who may run it.
      assertMayCommand(p, doc, { type: 'apply_plan' });
      return platform.planner.previewFor(doc, req.query.planId);
    },
  );

  const AttachQuery = Type.Object({ fileName: Type.String({ minLength: 1, maxLength: 200 }), lang: Type.Optional(Type.String()) });
  app.post<{ Params: Static<typeof IdParams>; Querystring: Static<typeof AttachQuery>; Body: Buffer }>(
    '/api/v1/cases/:id/attachments',
    {
      schema: {
        tags: ['cases'],
        summary: 'Attach a photo, video or document (raw body with its media type); stored by SHA-256. With an Idempotency-Key header, the same bytes under the same name that you already attached answer 200 with that attachment',
        security: bearer,
        params: IdParams,
        querystring: AttachQuery,
        response: withProblems({ 201: Type.Object({ id: Type.String(), sha256: Type.String(), size: Type.Integer() }), 200: Type.Object({ id: Type.String(), sha256: Type.String(), size: Type.Integer() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const data = req.body;
      if (!Buffer.isBuffer(data) || data.length === 0) throw new CityLoopError('VALIDATION_FAILED', { detail: 'send the file as the request body' });
      if (data.length > platform.settings.maxAttachmentBytes) throw new CityLoopError('ATTACHMENT_TOO_LARGE', { size: data.length, limit: platform.settings.maxAttachmentBytes });
      await cases.get(p, req.params.id);
      const { sha256, size } = await platform.blobs.put(data);
      const id = newId();
      const mediaType = String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
      const fileName = req.query.fileName.replace(/[\\/\u0000-\u001f]/g, '_');
      if (idempotencyKeyOf(req) !== undefined) {
        // A photo resent from a phone's outbox: the copy that arrived before is the answer.
        const before = await sameAttachment(platform.store.db, { caseId: req.params.id, sha256, fileName, userId: p.userId });
        if (before) return reply.code(200).header('idempotent-replayed', 'true').send({ id: before.id, sha256, size: before.size });
      }
      await cases.execute(p, req.params.id, { type: 'add_attachment', attachmentId: id, sha256, fileName, mediaType, size });
      return reply.code(201).send({ id, sha256, size });
    },
  );

  app.get<{ Params: Static<typeof IdParams> & { attachmentId: string } }>(
    '/api/v1/cases/:id/attachments/:attachmentId',
    { schema: { tags: ['cases'], summary: 'Download an attachment', security: bearer, params: Type.Object({ id: Type.String(), attachmentId: Type.String() }) } },
    async (req, reply) => {
      const doc = await cases.get(requirePrincipal(req), req.params.id);
      const a = doc.attachments.find((x) => x.id === req.params.attachmentId);
      if (!a) throw new CityLoopError('NOT_FOUND', { what: 'attachment', id: req.params.attachmentId });
      const data = await platform.blobs.get(a.sha256);
      return reply
        .type(a.mediaType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`)
        .header('x-content-sha256', a.sha256)
        .header('x-content-type-options', 'nosniff')
        .send(data);
    },
  );

  const TaskQuery = Type.Object({
    unit: Type.Optional(Type.String()),
    state: Type.Optional(Type.Array(Type.String())),
    overdue: Type.Optional(Type.Boolean()),
    updatedSince: Type.Optional(Type.String({ format: 'date-time', description: 'only tasks changed since then (e.g. those finished today)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    lang: Type.Optional(Type.String()),
  });
  const Nullable = (t: TSchema) => Type.Union([t, Type.Null()]);
  const TaskListItem = Type.Object({
    id: Type.String(),
    caseId: Type.String(),
    unitId: Type.String(),
    role: Type.String(),
    state: Type.String(),
    deadline: Type.String(),
    overdue: Type.Boolean(),
    round: Type.Integer(),
    unitName: Type.Optional(Type.String()),
    stateName: Type.Optional(Type.String()),
    respondDue: Type.Optional(Type.String()),
    doneAt: Type.Optional(Nullable(Type.String())),
    note: Type.Optional(Nullable(Type.String())),
    reminders: Type.Optional(Type.Integer()),
    plan: Type.Optional(Type.Object({ key: Type.String(), instructions: Type.String(), arriveBy: Nullable(Type.String()), handBack: Type.Array(Type.String()) })),
    arrival: Type.Optional(
      Nullable(Type.Object({ at: Type.String(), lng: Type.Number(), lat: Type.Number(), accuracyM: Nullable(Type.Number()), distanceM: Type.Number(), arriveBy: Nullable(Type.String()), late: Type.Boolean() })),
    ),
    arrivalOverdue: Type.Optional(Type.Boolean()),
    case: Type.Optional(
      Type.Object({
        number: Type.String(),
        title: Type.String(),
        address: Type.String(),
        lng: Type.Number(),
        lat: Type.Number(),
        state: Type.String(),
        stateName: Type.String(),
        priority: Type.String(),
        categoryCode: Type.String(),
        round: Type.Integer(),
        version: Type.Integer(),
      }),
    ),
  });
  app.get<{ Querystring: Static<typeof TaskQuery> }>(
    '/api/v1/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: "A unit's tasks by deadline, each with its case (title, place, state): unit staff and grid workers see their own unit's (a grid worker's is the community office they belong to)",
        security: bearer,
        querystring: TaskQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(TaskListItem) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const unit = req.query.unit ?? p.unitId;
      if (!unit) throw new CityLoopError('VALIDATION_FAILED', { detail: 'unit is required' });
      if (!hasRole(p, 'admin') && p.unitId !== unit) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      const { rows, cases: docs } = await tasksOfUnit(platform.store.db, unit, req.query);
      const lang = langOf(req);
      const items = [];
      for (const r of rows) {
        const doc = docs.get(r.case_id);
        // The policy has the last word on each case, as in the case list.
        if (!doc || !canSeeCase(p, doc)) continue;
        const t = doc.tasks.find((x) => x.id === r.id);
        items.push({
          id: r.id,
          caseId: r.case_id,
          unitId: r.unit_id,
          role: r.role,
          state: r.state,
          deadline: r.deadline,
          overdue: Boolean(r.overdue),
          round: Number(r.round),
          ...(t
            ? {
                unitName: t.unitName,
                stateName: TASK_STATE_NAMES[t.state][lang],
                respondDue: t.respondDue,
                doneAt: t.doneAt,
                note: t.note,
                reminders: t.reminders,
                arrival: t.arrival ?? null,
                arrivalOverdue: t.arrivalOverdue ?? false,
                ...(t.plan ? { plan: { key: t.plan.key, instructions: t.plan.instructions, arriveBy: t.plan.arriveBy, handBack: [...t.plan.handBack] } } : {}),
              }
            : {}),
          case: {
            number: doc.number,
            title: doc.title,
            address: doc.location.address,
            lng: doc.location.lng,
            lat: doc.location.lat,
            state: doc.state,
            stateName: CASE_STATE_NAMES[doc.state][lang],
            priority: doc.priority,
            categoryCode: doc.categoryCode,
            round: doc.round,
            version: doc.version,
          },
        });
      }
      return { items };
    },
  );
}
