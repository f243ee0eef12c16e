/**
 * The layers of src/, lowest first (docs/ARCHITECTURE.md draws them). A module may import its own
 * layer and the layers below it, never one above: a new upward import or any cycle fails `npm test`
 * (`npm run deps`), naming the rule it broke and the two files.
 *
 * Folders of one layer are siblings: they do not import each other either (plans, sensing and
 * appeals all build on cases, none on another), unless the layer lists them as `mayImport`.
 */
const LAYERS = [
  { name: 'kernel', paths: ['ids\\.ts', 'clock\\.ts', 'errors\\.ts', 'failpoints\\.ts', 'guarded-json\\.ts', 'closest-name\\.ts', 'documents/', 'calendar/', 'store/', 'outbound/', 'raster/'] },
  { name: 'places-and-log', paths: ['geo/', 'events/', 'actions/', 'hydro/'], siblings: true },
  { name: 'org', paths: ['org/', 'assets/'], siblings: true },
  { name: 'auth', paths: ['auth/'] },
  { name: 'cases', paths: ['cases/'] },
  { name: 'capabilities', paths: ['plans/', 'sensing/', 'appeals/', 'kpis/', 'analyses/'], siblings: true },
  { name: 'composition', paths: ['timers/', 'config\\.ts', 'platform\\.ts', 'platform-analyses\\.ts', 'city-pack\\.ts', 'demo/'] },
  { name: 'delivery', paths: ['http/', 'map-tiles/', 'web/'] },
  { name: 'commands', paths: ['cli/'] },
];

const inSrc = (paths) => `^src/(${paths.join('|')})`;

const upward = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flatMap((l) => l.paths);
  return above.length === 0
    ? []
    : [
        {
          name: `layer-${layer.name}-imports-upward`,
          comment: `${layer.name} may import only its own layer and those below it (see docs/ARCHITECTURE.md, "Layers")`,
          severity: 'error',
          from: { path: inSrc(layer.paths) },
          to: { path: inSrc(above) },
        },
      ];
});

// In a layer marked `siblings`, each folder stands on the layers below only, not on its neighbours.
const sideways = LAYERS.filter((l) => l.siblings).flatMap((layer) =>
  layer.paths.map((p) => ({
    name: `layer-${layer.name}-imports-sideways`,
    comment: `the folders of ${layer.name} (${layer.paths.join(', ')}) are siblings: move what two of them share down a layer`,
    severity: 'error',
    from: { path: inSrc([p]) },
    to: { path: inSrc(layer.paths.filter((q) => q !== p)) },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules import each other in a circle: break it by moving the shared part down a layer or by a port',
      severity: 'error',
      from: { path: '^(src|tools|cities)/' },
      to: { circular: true },
    },
    ...upward,
    ...sideways,
    {
      name: 'server-imports-tools',
      comment: 'tools/ (the simulator, the classifier training) are reached through the CLI only; the server never imports them',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^tools/' },
    },
    {
      name: 'core-imports-a-city',
      comment: 'the core names no city: a city pack is chosen by the CITY_PACK setting, loaded at run time',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^cities/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$|test-kit\\.ts$|^web/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
