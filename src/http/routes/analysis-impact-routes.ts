/**
 * 灾害态势研判 and 避险转移 over HTTP: an analysis's impact (places, assets, people to move by time
 * to act), the evacuation it starts (one case, one task per community) and its board, and a
 * community's count reported by its community office. Who may: the analyses' policy for the
 * analysis routes (a run outside the caller's ground is not found), the case policy for the count
 * (only the task's unit counts; only the owning center overrides).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { langOf } from '../problem.ts';
import { ASSET_TYPE_SPECS, isAssetType } from '../../assets/asset.ts';
import type { EvacuationBoard, EvacuationCommunity, ImpactView } from '../../analyses/impact/flood-impact.ts';

type ImpactRouteDeps = Pick<Platform, 'impact'>;

const Lang = Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])) });
const Id = Type.Object({ id: Type.String() });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Place = Type.Object({
  kind: Type.Union([Type.Literal('street'), Type.Literal('community'), Type.Literal('grid')]),
  kindName: Type.String({ description: "the kind in the caller's language" }),
  code: Type.String(),
  name: Type.String(),
  parentCode: Nullable(Type.String()),
  floodedAreaM2: Type.Number(),
  areaM2: Nullable(Type.Number()),
  maxDepthM: Type.Number(),
  arrivalS: Nullable(Type.Number({ description: 'earliest arrival, seconds from the start of the run' })),
  population: Type.Integer(),
  peopleAffected: Type.Integer({ description: "the grids' population × their flooded fraction" }),
});
const Asset = Type.Object({
  id: Type.String(),
  type: Type.String(),
  typeName: Type.String({ description: "what the asset is (its kind, else its type), in the caller's language" }),
  kind: Nullable(Type.String()),
  name: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  depthM: Type.Number(),
  arrivalS: Nullable(Type.Number()),
});
const PeopleToMove = Type.Object({
  communityCode: Type.String(),
  communityName: Type.String(),
  streetCode: Nullable(Type.String()),
  streetName: Nullable(Type.String()),
  people: Type.Integer(),
  arrivalS: Nullable(Type.Number()),
  maxDepthM: Type.Number(),
});
const Impact = Type.Object(
  {
    analysisId: Type.String(),
    floodedDepthM: Type.Number({ description: 'the depth from which a cell counts as flooded' }),
    floodedAreaM2: Type.Number(),
    unplacedAreaM2: Type.Number(),
    peopleAffected: Type.Integer(),
    populationSources: Type.Array(Type.String()),
    populationGenerated: Type.Boolean({ description: 'true when any figure is generated (the demo), not counted' }),
    places: Type.Array(Place),
    assets: Type.Array(Asset),
    peopleToMove: Type.Array(PeopleToMove),
  },
  { $id: 'FloodImpact' },
);
const Community = Type.Object(
  {
    communityCode: Type.String(),
    communityName: Type.String(),
    streetName: Nullable(Type.String()),
    expected: Type.Integer(),
    moved: Type.Integer(),
    staying: Type.Integer(),
    missing: Type.Integer(),
    accountedFor: Type.Boolean(),
    override: Nullable(Type.String()),
    lastReportAt: Nullable(Type.String()),
    arrivalS: Nullable(Type.Number()),
    taskId: Nullable(Type.String()),
    unitName: Nullable(Type.String()),
    taskState: Nullable(Type.String()),
    taskStateName: Nullable(Type.String({ description: "the task's state in the caller's language" })),
  },
  { $id: 'EvacuationCommunity' },
);
const Board = Type.Object(
  {
    analysisId: Type.String(),
    caseId: Type.String(),
    caseNumber: Type.String(),
    caseState: Type.String(),
    startedAt: Type.String(),
    startedBy: Type.String(),
    communities: Type.Array(Community),
    totals: Type.Object({ expected: Type.Integer(), moved: Type.Integer(), staying: Type.Integer(), missing: Type.Integer(), communities: Type.Integer(), accountedFor: Type.Integer() }),
  },
  { $id: 'EvacuationBoard' },
);
const Count = Type.Integer({ minimum: 0, maximum: 10_000_000 });
const ReportBody = Type.Union([
  Type.Object({ moved: Count, staying: Count, missing: Count, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false, description: "the community's whole current count (not an increment)" }),
  Type.Object({ override: Type.String({ minLength: 1, maxLength: 500, description: 'the center accepts the count as final, and why' }) }, { additionalProperties: false }),
]);

/** Nothing to choose: the analysis says who moves; an empty object. */
const StartBody = Type.Object({}, { additionalProperties: false });

const PLACE_KIND_NAMES = { street: ['街道（镇）', 'street'], community: ['社区（村）', 'community'], grid: ['网格', 'grid'] } as const;
/** Names of the `place` kinds the demo and cities use; others fall back to the asset type's name. */
const ASSET_KIND_NAMES: Record<string, [string, string]> = {
  hospital: ['医院', 'hospital'],
  school: ['学校', 'school'],
  square: ['广场', 'square'],
  village: ['村庄', 'village'],
  community: ['居民小区', 'residential area'],
  forest: ['林区', 'forest'],
};
const ASSET_TYPE_EN: Record<string, string> = { water_main: 'water main', underpass: 'underpass', tunnel: 'tunnel', bridge: 'bridge', manhole: 'manhole', traffic_signal: 'traffic signal', camera: 'camera', sensor: 'sensor', water_point: 'emergency water point', place: 'place', road: 'road', substation: 'substation' };

function presentImpact(v: ImpactView, lang: 'zh' | 'en'): Static<typeof Impact> {
  const pick = (pair: readonly [string, string]) => (lang === 'en' ? pair[1] : pair[0]);
  return {
    ...v,
    populationSources: [...v.populationSources],
    places: v.places.map((p) => ({ ...p, kindName: pick(PLACE_KIND_NAMES[p.kind]) })),
    assets: v.assets.map((a) => {
      const kindName = a.kind ? ASSET_KIND_NAMES[a.kind] : undefined;
      const typeName = kindName ? pick(kindName) : isAssetType(a.type) ? (lang === 'en' ? (ASSET_TYPE_EN[a.type] ?? a.type) : ASSET_TYPE_SPECS[a.type].nameZh) : a.type;
      return { ...a, typeName };
    }),
    peopleToMove: [...v.peopleToMove],
  };
}

const TASK_STATE_EN: Record<string, string> = { dispatched: 'dispatched', accepted: 'accepted', in_progress: 'in progress', done: 'done', returned: 'returned', cancelled: 'cancelled' };

function presentCommunity(c: EvacuationCommunity, lang: 'zh' | 'en'): Static<typeof Community> {
  return { ...c, taskStateName: lang === 'en' && c.taskState ? (TASK_STATE_EN[c.taskState] ?? c.taskState) : c.taskStateName };
}

function presentBoard(b: EvacuationBoard, lang: 'zh' | 'en'): Static<typeof Board> {
  return { ...b, communities: b.communities.map((c) => presentCommunity(c, lang)), totals: { ...b.totals } };
}

export function registerAnalysisImpactRoutes(app: FastifyInstance, platform: ImpactRouteDeps): void {
  app.get<{ Params: Static<typeof Id>; Querystring: Static<typeof Lang> }>(
    '/api/v1/analyses/:id/impact',
    {
      schema: {
        tags: ['analyses'],
        summary: '灾害态势研判: what a finished run means — affected streets, communities and grids (flooded area, depth, earliest arrival, people), assets at risk and the people to move per community, earliest arrival first',
        security: [{ bearer: [] }],
        params: Id,
        querystring: Lang,
        response: withProblems({ 200: Impact }),
      },
    },
    async (req) => presentImpact(await platform.impact.impact(requirePrincipal(req), req.params.id), langOf(req)),
  );

  app.get<{ Params: Static<typeof Id>; Querystring: Static<typeof Lang> }>(
    '/api/v1/analyses/:id/evacuation',
    {
      schema: {
        tags: ['analyses'],
        summary: '避险转移 board: per community the people expected, the latest count (moved, staying, missing), whether everyone is accounted for, and its task',
        security: [{ bearer: [] }],
        params: Id,
        querystring: Lang,
        response: withProblems({ 200: Board }),
      },
    },
    async (req) => presentBoard(await platform.impact.board(requirePrincipal(req), req.params.id), langOf(req)),
  );

  app.post<{ Params: Static<typeof Id>; Querystring: Static<typeof Lang>; Body: Static<typeof StartBody> }>(
    '/api/v1/analyses/:id/evacuation',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Start 避险转移 for a finished run: one case (plan flood-evacuation), one task per affected community to its community office; a second start answers the first',
        security: [{ bearer: [] }],
        params: Id,
        querystring: Lang,
        body: StartBody,
        response: withProblems({ 201: Board }),
      },
    },
    async (req, reply) => reply.code(201).send(presentBoard(await platform.impact.startEvacuation(requirePrincipal(req), req.params.id), langOf(req))),
  );

  app.post<{ Params: { caseId: string; communityCode: string }; Querystring: Static<typeof Lang>; Body: Static<typeof ReportBody> }>(
    '/api/v1/cases/:caseId/evacuation/:communityCode',
    {
      schema: {
        tags: ['cases'],
        summary: "A community's count (by its community office: moved, staying, missing — the whole current count), or the owning center's override with a reason; recorded as the case's TaskTallied event",
        security: [{ bearer: [] }],
        params: Type.Object({ caseId: Type.String(), communityCode: Type.String() }),
        querystring: Lang,
        body: ReportBody,
        response: withProblems({ 200: Community }),
      },
    },
    async (req) => presentCommunity(await platform.impact.report(requirePrincipal(req), req.params.caseId, req.params.communityCode, req.body as Record<string, unknown>), langOf(req)),
  );
}
