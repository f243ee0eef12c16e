/**
 * Analyses over HTTP (山洪淹没分析, 水库溃坝分析 …): ask for a run (202: it is queued), follow it
 * (state, progress; the live feed carries the same), read its layers as images with their corners
 * and legend for the map, arrival-time isochrones, cancel, repeat. Every route asks the analyses'
 * policy: a run of a center outside the caller's ground is not found, a citizen is refused.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { CityLoopError } from '../../errors.ts';
import { ANALYSIS_MODELS, ANALYSIS_STATES, MODEL_NAMES, STATE_NAMES, type AnalysisRecord } from '../../analyses/analysis-model.ts';
import { langOf } from '../problem.ts';
import { analysisIsochrones, layerImage, layerView } from './analysis-images.ts';

/** What these routes use of the platform (and nothing more). */
type AnalysisRouteDeps = Pick<Platform, 'analyses' | 'rasters'>;

const Params = Type.Object({ id: Type.String() });
const Layer = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  imageUrl: Type.String(),
  corners: Type.Array(Type.Array(Type.Number()), { description: 'the image corners in GCJ-02 [lng, lat]: top-left, top-right, bottom-right, bottom-left (MapLibre image source order)' }),
  legend: Type.Object({}, { additionalProperties: true, description: 'the colour ramp: stops of value and colour, as the image is drawn' }),
});
const Analysis = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    model: Type.Union(ANALYSIS_MODELS.map((m) => Type.Literal(m))),
    modelName: Type.String({ description: "the model's name in the caller's language" }),
    rootId: Type.String(),
    parentId: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
    state: Type.Union(ANALYSIS_STATES.map((s) => Type.Literal(s))),
    stateName: Type.String({ description: "the state's name in the caller's language" }),
    progress: Type.Number(),
    progressMessage: Type.Union([Type.String(), Type.Null()]),
    inputs: Type.Object({}, { additionalProperties: true, description: 'the normalised inputs: every default written out' }),
    rasterId: Type.String(),
    rasterSha256: Type.String(),
    inputRasters: Type.Array(Type.Object({ id: Type.String(), sha256: Type.String() })),
    ownerCenterId: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    startedAt: Type.Union([Type.String(), Type.Null()]),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
    summary: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    cancelRequestedAt: Type.Union([Type.String(), Type.Null()]),
    triggerKey: Type.Union([Type.String(), Type.Null()]),
    layers: Type.Optional(Type.Array(Layer)),
    snapshots: Type.Optional(Type.Array(Type.Object({ t: Type.Number(), imageUrl: Type.String() }))),
  },
);
type AnalysisView = Static<typeof Analysis>;

const StartBody = Type.Object({
  model: Type.String({ description: `one of ${ANALYSIS_MODELS.join(', ')}` }),
  rasterId: Type.String({ description: 'the terrain (a stored dem raster)' }),
  inputs: Type.Optional(Type.Object({}, { additionalProperties: true, description: "the model's inputs (docs/reference/analyses.md); coordinates in `datum` (gcj02 default, or wgs84)" })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
});
const ListQuery = Type.Object({
  state: Type.Optional(Type.Union(ANALYSIS_STATES.map((s) => Type.Literal(s)))),
  model: Type.Optional(Type.Union(ANALYSIS_MODELS.map((m) => Type.Literal(m)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])),
});
const LangOnly = Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])) });
const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

function present(run: AnalysisRecord, lang: 'zh' | 'en'): AnalysisView {
  const { results: _results, ...rest } = run;
  return { ...rest, inputs: { ...run.inputs }, summary: run.summary ? { ...run.summary } : null, modelName: MODEL_NAMES[run.model][lang], stateName: STATE_NAMES[run.state][lang] } as AnalysisView;
}

export function registerAnalysisRoutes(app: FastifyInstance, platform: AnalysisRouteDeps): void {
  app.post<{ Body: Static<typeof StartBody> }>(
    '/api/v1/analyses',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Ask for an analysis run (fill, lake, flood, dambreak) on a stored terrain: the inputs are checked (a refusal names the field) and the run is queued (202); follow it here or on the live feed',
        security: [{ bearer: [] }],
        body: StartBody,
        response: withProblems({ 202: Analysis }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const run = await platform.analyses.start(p, req.body);
      return reply.code(202).send(present(run, langOf(req)));
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/analyses',
    {
      schema: { tags: ['analyses'], summary: 'Analysis runs the caller may see (of centers in its ground), newest first', security: [{ bearer: [] }], querystring: ListQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(Analysis) }) }) },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const items = await platform.analyses.list(p, { ...(req.query.state ? { state: req.query.state } : {}), ...(req.query.model ? { model: req.query.model } : {}), ...(req.query.limit ? { limit: req.query.limit } : {}) });
      const lang = langOf(req);
      return { items: items.map((r) => present(r, lang)) };
    },
  );

  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof LangOnly> }>(
    '/api/v1/analyses/:id',
    {
      schema: { tags: ['analyses'], summary: 'One run: its record, and once it succeeded its layers (image, GCJ-02 corners, legend) and depth snapshots', security: [{ bearer: [] }], params: Params, querystring: LangOnly, response: withProblems({ 200: Analysis }) },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const run = await platform.analyses.get(p, req.params.id);
      const view = present(run, langOf(req));
      if (run.state !== 'succeeded' || !run.results) return view;
      const base = `/api/v1/analyses/${encodeURIComponent(run.id)}`;
      const layers = [];
      for (const l of run.results.filter((r) => r.t === undefined)) layers.push(await layerView(platform.rasters, l, `${base}/layers/${encodeURIComponent(l.name)}.png`));
      const snapshots = run.results.filter((r) => r.t !== undefined).map((l, i) => ({ t: l.t!, imageUrl: `${base}/snapshots/${i}.png` }));
      return { ...view, layers, snapshots };
    },
  );

  app.get<{ Params: { id: string; file: string } }>(
    '/api/v1/analyses/:id/layers/:file',
    {
      schema: { tags: ['analyses'], summary: "A result layer as a PNG (transparent where dry or outside), drawn north-up in lng/lat: place it at the record's corners", security: [{ bearer: [] }], params: Type.Object({ id: Type.String(), file: Type.String({ pattern: '\\.png$' }) }), produces: ['image/png'] },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const name = req.params.file.replace(/\.png$/, '');
      const l = await platform.analyses.layer(p, req.params.id, name);
      if (l.layer.t !== undefined) throw new CityLoopError('NOT_FOUND', { what: 'analysis layer', id: `${req.params.id}/${name}` });
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(await layerImage(l.grid, l.layer, l.raster));
    },
  );

  app.get<{ Params: { id: string; file: string } }>(
    '/api/v1/analyses/:id/snapshots/:file',
    {
      schema: { tags: ['analyses'], summary: 'The depth at the i-th snapshot time as a PNG (the same corners and legend as maxDepth)', security: [{ bearer: [] }], params: Type.Object({ id: Type.String(), file: Type.String({ pattern: '^[0-9]+\\.png$' }) }), produces: ['image/png'] },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const i = Number(req.params.file.replace(/\.png$/, ''));
      const run = await platform.analyses.get(p, req.params.id);
      const snap = (run.results ?? []).filter((r) => r.t !== undefined)[i];
      if (!snap) throw new CityLoopError('NOT_FOUND', { what: 'analysis layer', id: `${req.params.id}/snapshots/${i}` });
      const l = await platform.analyses.layer(p, run.id, snap.name);
      // Snapshots share the scale of the maximum depth, so the slider shows water rising, not a ramp re-stretched each frame.
      const maxLayer = run.results?.find((r) => r.name === 'maxDepth');
      const scaleMax = maxLayer ? ((await platform.rasters.get(maxLayer.rasterId))?.max ?? null) : null;
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(await layerImage(l.grid, l.layer, l.raster, scaleMax));
    },
  );

  app.get<{ Params: Static<typeof Params>; Querystring: { stepMinutes?: number } }>(
    '/api/v1/analyses/:id/isochrones',
    {
      schema: {
        tags: ['analyses'],
        summary: 'Arrival-time isochrones of a flood or dam-break run: GeoJSON LineStrings (GCJ-02) every stepMinutes, each with its minutes',
        security: [{ bearer: [] }],
        params: Params,
        querystring: Type.Object({ stepMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1440, default: 10 })) }),
        response: withProblems({ 200: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Object({}, { additionalProperties: true })) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const l = await platform.analyses.layer(p, req.params.id, 'arrivalTime');
      return analysisIsochrones(l.grid, req.query.stepMinutes ?? 10);
    },
  );

  app.post<{ Params: Static<typeof Params>; Body: Static<typeof CancelBody> }>(
    '/api/v1/analyses/:id/cancel',
    {
      schema: { tags: ['analyses'], summary: 'Cancel a queued or running run: its thread is ended and nothing of its result is kept', security: [{ bearer: [] }], params: Params, body: CancelBody, response: withProblems({ 200: Analysis }) },
    },
    async (req) => {
      const p = requirePrincipal(req);
      return present(await platform.analyses.cancel(p, req.params.id, req.body.reason ?? null), langOf(req));
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    '/api/v1/analyses/:id/rerun',
    {
      schema: { tags: ['analyses'], summary: "Run again with the same inputs on the same raster cells, as the family's next version (refused if the raster was deleted or changed)", security: [{ bearer: [] }], params: Params, body: Type.Object({}, { additionalProperties: false, description: 'nothing: the run is repeated as it was asked' }), response: withProblems({ 202: Analysis }) },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      return reply.code(202).send(present(await platform.analyses.rerun(p, req.params.id), langOf(req)));
    },
  );
}
