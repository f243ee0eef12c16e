/**
 * The case list (`GET /api/v1/cases`: filters, full-text search, sorts, cursor paging), its export
 * as CSV or XLSX (every page of the filter, up to EXPORT_LIMIT, columns named in the caller's
 * language) and the caller's saved views. Everything is inside what the caller may see: the list
 * cuts by `visibleTo` and the policy (src/cases/case-list.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { langOf } from '../problem.ts';
import { withProblems } from '../schemas.ts';
import { hasRole, type Principal } from '../../auth/principal.ts';
import { CASE_STATE_NAMES, type CaseDoc, type CaseSource, type Priority, type Tier } from '../../cases/case-model.ts';
import { presentCase } from '../../cases/present-case.ts';
import type { CaseListFilter } from '../../cases/case-list.ts';
import { deleteView, saveView, viewsOf } from '../../cases/case-views.ts';
import { ListFilterProps, ListQuery } from './case-schemas.ts';
import { toCsv, toXlsx, type Cell } from '../spreadsheet.ts';

type CaseListRouteDeps = Pick<Platform, 'cases' | 'org' | 'store' | 'clock'>;

/** The most cases one export holds; more is refused with EXPORT_TOO_LARGE (narrow the filter). */
export const EXPORT_LIMIT = 10_000;

type FilterQuery = Static<typeof FilterOnly>;
const FilterOnly = Type.Object(ListFilterProps, { additionalProperties: false });

/** The list's query as the case list's filter: the box parsed, the time range checked. */
export function filterOf(q: FilterQuery): CaseListFilter {
  let bbox: CaseListFilter['bbox'];
  if (q.bbox !== undefined) {
    const n = q.bbox.split(',').map(Number);
    const [a, b, c, d] = n as [number, number, number, number];
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || a > c || b > d || a < -180 || c > 180 || b < -90 || d > 90) {
      throw new CityLoopError('VALIDATION_FAILED', { detail: 'bbox must be minLng,minLat,maxLng,maxLat with min ≤ max' });
    }
    bbox = [a, b, c, d];
  }
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'from must be before to' });
  return { ...q, bbox };
}

const PRIORITY_NAMES: Record<Priority, [string, string]> = { low: ['低', 'low'], normal: ['一般', 'normal'], high: ['高', 'high'], urgent: ['紧急', 'urgent'] };
const SOURCE_NAMES: Record<CaseSource, [string, string]> = {
  sensor: ['物联感知', 'sensor'],
  camera: ['视频识别', 'camera'],
  citizen: ['市民', 'citizen'],
  grid_worker: ['网格员', 'grid worker'],
  external: ['外部系统', 'external system'],
  inspection: ['巡查', 'inspection'],
  hotline: ['12345热线', '12345 hotline'],
};
const TIER_NAMES: Record<Tier, [string, string]> = { city: ['市级', 'city'], district: ['区县级', 'district'], street: ['镇街级', 'street'] };

/** The export's columns, named in the caller's language, and each case's cells. */
function exportTable(cases: readonly CaseDoc[], lang: 'zh' | 'en', platform: CaseListRouteDeps): { header: string[]; rows: Cell[][] } {
  const zh = lang === 'zh';
  const pick = (names: [string, string] | undefined, code: string) => (names ? (zh ? names[0] : names[1]) : code);
  const header = zh
    ? ['编号', '标题', '类别', '状态', '紧急程度', '来源', '层级', '区县', '街道', '地址', '上报时间', '办结时限', '是否超期', '承办单位']
    : ['Number', 'Title', 'Category', 'State', 'Priority', 'Source', 'Tier', 'District', 'Street', 'Address', 'Reported at', 'Resolve by', 'Overdue', 'Units'];
  const rows = cases.map((d): Cell[] => {
    const cat = platform.org.category(d.categoryCode);
    const level = (l: string) => d.chain.find((x) => x.level === l)?.name ?? null;
    const units = [...new Set(d.tasks.filter((t) => t.state !== 'cancelled').map((t) => t.unitName))].join(zh ? '、' : '; ');
    return [
      d.number,
      d.title,
      cat ? (zh ? cat.nameZh : cat.nameEn) : d.categoryCode,
      pick([CASE_STATE_NAMES[d.state].zh, CASE_STATE_NAMES[d.state].en], d.state),
      pick(PRIORITY_NAMES[d.priority], d.priority),
      pick(SOURCE_NAMES[d.source], d.source),
      pick(TIER_NAMES[d.tier], d.tier),
      level('district'),
      level('street'),
      d.location.address,
      d.createdAt,
      d.resolveDue,
      d.overdue ? (zh ? '是' : 'yes') : zh ? '否' : 'no',
      units,
    ];
  });
  return { header, rows };
}

export function registerCaseListRoutes(app: FastifyInstance, platform: CaseListRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const cases = platform.cases;
  const present = (req: FastifyRequest, doc: CaseDoc) => {
    const p = requirePrincipal(req);
    return presentCase(doc, p, langOf(req), cases.viewContext(p, doc));
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases the user may see: filters, full-text search (q), sort and order, cursor pagination',
        security: bearer,
        querystring: ListQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Ref('Case')), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const { limit, cursor, lang: _lang, ...filter } = req.query;
      const page = await cases.list(p, { ...filterOf(filter), limit, cursor });
      return { items: page.items.map((d) => present(req, d)), nextCursor: page.nextCursor };
    },
  );

  const ExportQuery = Type.Object({ ...ListFilterProps, format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]), lang: Type.Optional(Type.String()) }, { additionalProperties: false });
  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/api/v1/cases/export',
    {
      schema: {
        tags: ['cases'],
        summary: `导出 — the cases of the list's filter and sort as CSV (UTF-8 with BOM) or XLSX, every page, at most ${EXPORT_LIMIT} (more: 422 EXPORT_TOO_LARGE); columns named in the caller's language`,
        security: bearer,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'operator', 'supervisor', 'unit_staff', 'grid_worker')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'export cases' });
      const { format, lang: _lang, ...filter } = req.query;
      const f = filterOf(filter);
      const all: CaseDoc[] = [];
      let cursor: string | undefined;
      do {
        const page = await cases.list(p, { ...f, limit: 200, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        if (all.length > EXPORT_LIMIT) throw new CityLoopError('EXPORT_TOO_LARGE', { limit: EXPORT_LIMIT });
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const lang = langOf(req);
      const { header, rows } = exportTable(all, lang, platform);
      const day = platform.clock.now().toISOString().slice(0, 10).replace(/-/g, '');
      const base = lang === 'zh' ? `事项清单-${day}` : `cases-${day}`;
      const body = format === 'csv' ? toCsv(header, rows) : toXlsx(lang === 'zh' ? '事项' : 'Cases', header, rows);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="cases-${day}.${format}"; filename*=UTF-8''${encodeURIComponent(`${base}.${format}`)}`)
        .header('x-export-count', String(all.length))
        .send(body);
    },
  );

  const ViewItem = Type.Object({ id: Type.String(), name: Type.String(), query: Type.Object({}, { additionalProperties: true }), createdAt: Type.String() });
  app.get(
    '/api/v1/case-views',
    { schema: { tags: ['cases'], summary: '我的视图 — the caller\'s saved views of the case list (a name, filters and sort)', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(ViewItem) }) }) } },
    async (req) => ({ items: await viewsOf(platform.store.db, requirePrincipal(req).userId) }),
  );

  const ViewBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 60 }), query: FilterOnly }, { additionalProperties: false });
  app.post<{ Body: Static<typeof ViewBody> }>(
    '/api/v1/case-views',
    { schema: { tags: ['cases'], summary: '保存视图 — save the list\'s filters and sort under a name (yours only; the change is logged)', security: bearer, body: ViewBody, response: withProblems({ 201: ViewItem }) } },
    async (req, reply) => {
      const p: Principal = requirePrincipal(req);
      const name = req.body.name.trim();
      if (name === '') throw new CityLoopError('VALIDATION_FAILED', { detail: 'name is empty' });
      filterOf(req.body.query);
      return reply.code(201).send(await saveView(platform, p, name, req.body.query));
    },
  );

  const ViewParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
  app.delete<{ Params: Static<typeof ViewParams> }>(
    '/api/v1/case-views/:id',
    { schema: { tags: ['cases'], summary: '删除视图 — delete one of your saved views (another\'s answers 404; the change is logged)', security: bearer, params: ViewParams, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      await deleteView(platform, requirePrincipal(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
