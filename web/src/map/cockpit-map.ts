import { Map as MlMap, NavigationControl, ScaleControl, prewarm, setWorkerUrl, type GeoJSONSource, type MapGeoJSONFeature, type MapMouseEvent, type VectorTileSource } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import { baseStyle, COLORS, SEVERITY_COLORS } from './style.ts';
import { BOUNDARY_SOURCE, Boundaries, MIN_ZOOM } from './boundaries.ts';
import { loadSession } from '../api.ts';
import { currentLang } from '../i18n.tsx';

const MAP_LOCALE_ZH = {
  'Map.Title': '地图',
  'Marker.Title': '地图标记',
  'NavigationControl.ZoomIn': '放大',
  'NavigationControl.ZoomOut': '缩小',
  'NavigationControl.ResetBearing': '拖动旋转地图，点击恢复正北',
  'Popup.Close': '关闭',
  'AttributionControl.ToggleAttribution': '地图来源',
  'GeolocateControl.FindMyLocation': '定位我的位置',
  'GeolocateControl.LocationNotAvailable': '无法定位',
  'FullscreenControl.Enter': '全屏',
  'FullscreenControl.Exit': '退出全屏',
  'ScaleControl.Meters': 'm',
  'ScaleControl.Kilometers': 'km',
};
const MAP_LOCALE_EN = { 'Map.Title': 'Map' };
import type { AlertView, CaseLayer, DeviceView, FeedCase, MapFocus } from '../types.ts';

// Vite emits MapLibre's worker as its own ES module; MapLibre must be told where it is.
setWorkerUrl(workerUrl);
// Start the worker as soon as this code is here, not when the first map is made.
prewarm();

const SEVERITY_MATCH = ['match', ['get', 'severity'], 'red', SEVERITY_COLORS.red, 'orange', SEVERITY_COLORS.orange, 'yellow', SEVERITY_COLORS.yellow, SEVERITY_COLORS.blue] as unknown as string;
/** The layers of the sources that are often empty (switched off while they are: #setData). */
const SOURCE_LAYERS: Record<string, readonly string[]> = {
  plot: ['plot-fill', 'plot-line', 'plot-point', 'plot-label'],
  draft: ['draft-line', 'draft-point'],
  selected: ['selected'],
  alerts: ['alerts'],
  'alert-areas': ['alert-area-fill', 'alert-area-line'],
  devices: ['devices'],
};
/** Devices are drawn from this zoom (a district's view); the city view shows alerts, not every meter. */
export const DEVICE_MIN_ZOOM = 11;
/** Case points are coloured by group (g, from the server's groupOfState in src/map-tiles/case-map-tiles.ts): 0 new, 1 working, 2 checking, 3 overdue. */
const GROUP_COLOR = ['match', ['get', 'g'], 0, COLORS.caseNew, 1, COLORS.caseWorking, 2, COLORS.caseChecking, 3, COLORS.caseOverdue, COLORS.caseDone] as unknown as string;

/**
 * MapLibre draws its sky as a full-screen pass at the start of every frame, even when the map
 * cannot tilt (maxPitch 0 here) and no pixel of the sky is ever seen. In software rendering that
 * pass is a whole screen of fragment shading per frame, and its shader one more to compile before
 * the first map. The painter's draw functions are its own (not public API): if a MapLibre upgrade
 * renames them, nothing breaks, the sky is just drawn again (test/ui checks the hook is there).
 */
function skipSky(map: MlMap): void {
  const painter = (map as unknown as { painter?: { drawFunctions?: Record<string, unknown> } }).painter;
  if (painter?.drawFunctions && typeof painter.drawFunctions.sky === 'function') {
    painter.drawFunctions = { ...painter.drawFunctions, sky: () => undefined };
  }
}

/** The longest the first frame waits for the first view's tiles (then whatever is in is drawn). */
const FIRST_DRAW_WAIT_MS = 3000;

/**
 * The map draws nothing until the first view's tiles are all in (or FIRST_DRAW_WAIT_MS passed):
 * MapLibre otherwise draws a frame for each batch of tiles that arrives, and in software WebGL each
 * of those frames is a whole screen's work (and the page waits for it) to show a map that is
 * complete a few tens of milliseconds later. Like skipSky this goes through the painter (not public
 * API); without the hook the map simply draws as before (test/ui checks the mark it leaves).
 */
function drawFirstWhenLoaded(map: MlMap, loaded: () => boolean): void {
  const painter = (map as unknown as { painter?: { render?: (...args: unknown[]) => unknown } }).painter;
  if (!painter || typeof painter.render !== 'function') return;
  const render = painter.render;
  const until = performance.now() + FIRST_DRAW_WAIT_MS;
  let held = 0;
  painter.render = function (this: unknown, ...args: unknown[]) {
    if (performance.now() < until && !loaded()) {
      // A frame held back is asked for again when the wait is over: nothing else may ask (an image
      // source — a model overlay — never reports its one tile loaded, so no tile arrival follows).
      if (held++ === 0) setTimeout(() => map.triggerRepaint(), until - performance.now() + 20);
      return undefined;
    }
    painter.render = render;
    performance.mark('cityloop:first-draw', { detail: { held } });
    return render.apply(this, args);
  };
}

export type PlotKind = 'point' | 'line' | 'polygon' | 'label';

/** The server's last clustered zoom and its radius (src/map-tiles/case-map-tiles.ts CLUSTER_MAX_ZOOM, RADIUS_PX). */
const CASE_CLUSTER_MAX_ZOOM = 14;
const CASE_CLUSTER_RADIUS_PX = 48;

export interface CockpitMapOptions {
  readonly container: HTMLElement;
  readonly focus: MapFocus;
  readonly onCase?: (id: string) => void;
  /**
   * Co-located cases (a cluster that no zoom splits, or points drawn on one another) to be shown
   * as a list: the box around them, GCJ-02 [minLng, minLat, maxLng, maxLat].
   */
  readonly onCaseList?: (bbox: [number, number, number, number]) => void;
  readonly onAlert?: (id: string) => void;
  /** Label text for a plotted label, asked of the user (a dialog, not window.prompt). */
  readonly askLabel?: () => Promise<string | null>;
  readonly interactive?: boolean;
  /** The number of open cases shown changed (a live change reached the case layer). */
  readonly onCaseCount?: (n: number) => void;
  /** Asks the server for the case layer as it now is (GET /api/v1/map/cases/summary). */
  readonly fetchCaseLayer?: () => Promise<CaseLayer>;
  /**
   * Asks the server for the devices placed in a box (GET /api/v1/devices?bbox=…); absent: no device
   * layer. `truncated`: more are there than the answer holds (those alerting come first).
   */
  readonly fetchDevices?: (bbox: DeviceBox) => Promise<{ readonly items: readonly DeviceView[]; readonly truncated: boolean }>;
  /** The devices drawn are only part of those in view (how many are drawn), or all of them again (null). */
  readonly onDevicesCapped?: (shown: number | null) => void;
}

/** minLon, minLat, maxLon, maxLat. */
export type DeviceBox = [number, number, number, number];

/** The view's box grown by half its size on every side (the devices asked for cover a pan or two). */
function grownBox(b: DeviceBox): DeviceBox {
  const w = (b[2] - b[0]) / 2;
  const h = (b[3] - b[1]) / 2;
  return [Math.max(-180, b[0] - w), Math.max(-90, b[1] - h), Math.min(180, b[2] + w), Math.min(90, b[3] + h)];
}

const boxHolds = (outer: DeviceBox, inner: DeviceBox): boolean => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

/** Live changes reach the case layer at most this often: each one reloads the visible case tiles. */
const CASE_REFRESH_MS = 1500;

const empty = (): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features: [] });
/** Tile URLs are fetched by the worker: made absolute, the {z}/{x}/{y} placeholders kept as they are. */
const absolute = (path: string): string => (/^https?:/.test(path) ? path : `${location.origin}${path}`);

/**
 * The cockpit's map: boundaries by zoom, the open cases as clustered vector tiles made by the server
 * (100,000 points stay smooth because the browser only draws the few clusters of each tile), alerts,
 * devices, the selected case and the plot (在线标绘).
 */
export class CockpitMap {
  readonly map: MlMap;
  readonly ready: Promise<void>;
  readonly boundaries: Boundaries;
  /** The case layer as the server last described it (tiles URL with its version, count). */
  #caseLayer: CaseLayer | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #devicesWaiting = false;
  /** The box the devices at hand were asked for, and the number of the newest request. */
  #devicesBox: DeviceBox | null = null;
  #devicesAsked = 0;
  /** The last answer was cut short: every move asks again for just the view, so zooming in shows the rest. */
  #devicesCapped = false;
  /** Sources that hold nothing now (they all start empty). */
  readonly #emptySources = new Set(Object.keys(SOURCE_LAYERS));
  /** The overlays' sources and layers exist (#addOverlays). */
  #overlaysAdded = false;
  #refreshing = false;
  #refreshAgain = false;
  #lastRefresh = 0;
  #plot: GeoJSON.FeatureCollection = empty();
  #devices = new Map<string, GeoJSON.Feature<GeoJSON.Point>>();
  #drawing: { kind: PlotKind; coords: [number, number][]; done: (f: GeoJSON.Feature | null) => void } | null = null;
  readonly #opts: CockpitMapOptions;
  /** Resolves when the case source has been drawn with the first data set (the bench's "map shows the city"). */
  casesShown: Promise<void>;
  #casesShownResolve!: () => void;

  constructor(opts: CockpitMapOptions) {
    this.#opts = opts;
    const b = opts.focus.bbox;
    this.map = new MlMap({
      container: opts.container,
      style: baseStyle(),
      ...(b ? { bounds: [b[0], b[1], b[2], b[3]] as [number, number, number, number], fitBoundsOptions: { padding: 24 } } : { center: [106.55, 29.56], zoom: 9 }),
      attributionControl: false,
      // MapLibre's own words (zoom buttons, the map's title) in the page's language.
      locale: currentLang() === 'zh' ? MAP_LOCALE_ZH : MAP_LOCALE_EN,
      maxPitch: 0,
      dragRotate: false,
      // The demo city's polygons and cases are GCJ-02: drawn as they are, with no base tiles to disagree with.
      canvasContextAttributes: { antialias: false, preserveDrawingBuffer: false },
      interactive: opts.interactive ?? true,
      // Labels appear at once: no fade animation keeping the map busy after every move.
      fadeDuration: 0,
      // The case tiles are the viewer's own (their jurisdiction): the worker asks for them with the session's token.
      transformRequest: (url) => {
        const token = loadSession()?.token;
        return token && url.startsWith(`${location.origin}/api/`) ? { url, headers: { authorization: `Bearer ${token}` } } : { url };
      },
    });
    opts.container.style.background = COLORS.ground;
    skipSky(this.map);
    // The cockpit's first view is complete with its case layer; a map without one (the case page) waits for its base map only.
    drawFirstWhenLoaded(this.map, () => this.map.isStyleLoaded() === true && (!opts.fetchCaseLayer || this.map.getSource('cases') !== undefined) && this.map.areTilesLoaded() === true);
    this.casesShown = new Promise((r) => (this.#casesShownResolve = r));
    if (opts.interactive ?? true) {
      this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
      this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    }
    this.boundaries = new Boundaries(this.map);
    this.ready = new Promise((resolve) => {
      // The style is our own object, with no sources: layers are added as soon as it is read
      // ('style.load'), not after the first empty frame has been drawn ('load').
      this.map.once('style.load', () => {
        performance.mark('cityloop:map-load');
        this.#addLayers();
        resolve();
      });
    });
  }

  #addLayers() {
    const m = this.map;
    const label = (id: string, sourceLayer: string, minzoom: number, size: number, maxzoom = 24) =>
      m.addLayer({
        id,
        type: 'symbol',
        source: BOUNDARY_SOURCE,
        'source-layer': sourceLayer,
        minzoom,
        maxzoom,
        layout: { 'text-field': ['get', 'name'], 'text-font': ['sans-serif'], 'text-size': size, 'text-allow-overlap': false, 'text-padding': 4 },
        paint: { 'text-color': COLORS.label, 'text-halo-color': COLORS.labelHalo, 'text-halo-width': 1.4 },
      });
    // The base map: boundaries and their label points as vector tiles cut by the server, each level
    // from its zoom, outlines and labels in the same tiles.
    const base: { tiles: string; maxzoom: number; bounds?: [number, number, number, number] | null } = this.#opts.focus.boundaries ?? { tiles: '/api/v1/map/boundaries/{z}/{x}/{y}.pbf', maxzoom: 16 };
    m.addSource(BOUNDARY_SOURCE, { type: 'vector', tiles: [absolute(base.tiles)], maxzoom: base.maxzoom, ...(base.bounds ? { bounds: base.bounds } : {}) });
    const line = (id: string, sourceLayer: string, minzoom: number, paint: Record<string, unknown>) =>
      m.addLayer({ id, type: 'line', source: BOUNDARY_SOURCE, 'source-layer': sourceLayer, minzoom, paint } as Parameters<MlMap['addLayer']>[0]);
    // Up to zoom 9 (the city-wide views) the district outlines are the fill's own hairline outline
    // (drawn as plain GL lines) rather than a line layer 0.8 px wide there: in software WebGL the line
    // layer cost ~4 frames per second while panning the city, for the same look.
    m.addLayer({ id: 'district-fill', type: 'fill', source: BOUNDARY_SOURCE, 'source-layer': 'district', paint: { 'fill-color': COLORS.district, 'fill-antialias': ['step', ['zoom'], true, 9, false], 'fill-outline-color': COLORS.districtLine } } as Parameters<MlMap['addLayer']>[0]);
    line('grid-line', 'grid', MIN_ZOOM.grid, { 'line-color': COLORS.gridLine, 'line-width': 0.6 });
    line('community-line', 'community', MIN_ZOOM.community, { 'line-color': COLORS.communityLine, 'line-width': 0.9, 'line-dasharray': [3, 2] });
    line('street-line', 'street', MIN_ZOOM.street, { 'line-color': COLORS.streetLine, 'line-width': 1.1 });
    line('district-line', 'district', 9, { 'line-color': COLORS.districtLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 13, 2] });
    if (this.#opts.focus.geometry) {
      m.addSource('focus', { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: this.#opts.focus.geometry } });
      m.addLayer({ id: 'focus-line', type: 'line', source: 'focus', paint: { 'line-color': COLORS.focusLine, 'line-width': 2.5 } });
    }
    label('district-label', 'district-labels', 0, 13, MIN_ZOOM.street + 1.5);
    label('street-label', 'street-labels', MIN_ZOOM.street, 12, MIN_ZOOM.grid);
    label('community-label', 'community-labels', MIN_ZOOM.community, 11);
    label('grid-label', 'grid-labels', MIN_ZOOM.grid + 0.8, 10);

    // Devices are asked for by the view's box from the zoom they are drawn at: a whole city's meters
    // are never sent to a page that cannot show them.
    m.on('moveend', () => this.#loadDevicesInView());
    this.#loadDevicesInView();

    m.on('click', 'case-clusters', (e) => void this.#expandCluster(e));
    m.on('click', 'case-points', (e) => {
      if (this.#drawing) return;
      // Cases at one point are drawn on one another: more than one under the click opens them as a list.
      const ids = new Set((e.features ?? []).map((f) => f.properties?.id).filter((x): x is string => typeof x === 'string'));
      if (ids.size > 1 && this.#opts.onCaseList) {
        this.#opts.onCaseList(this.#boxAround(e.point, 6));
        return;
      }
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') this.#opts.onCase?.(id);
    });
    m.on('click', 'alerts', (e) => {
      if (this.#drawing) return;
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') this.#opts.onAlert?.(id);
    });
    m.on('click', 'alert-area-fill', (e) => {
      if (this.#drawing) return;
      // A point alert or a case on top of the area wins the click.
      const above = ['alerts', 'case-points', 'case-clusters'].filter((l) => m.getLayer(l));
      if (above.length > 0 && m.queryRenderedFeatures(e.point, { layers: above }).length > 0) return;
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') this.#opts.onAlert?.(id);
    });
    for (const layer of ['case-clusters', 'case-points', 'alerts']) {
      m.on('mouseenter', layer, () => {
        if (!this.#drawing) m.getCanvas().style.cursor = 'pointer';
      });
      m.on('mouseleave', layer, () => {
        if (!this.#drawing) m.getCanvas().style.cursor = '';
      });
    }
    m.on('click', (e) => this.#drawClick(e));
    m.on('dblclick', (e) => {
      if (!this.#drawing) return;
      e.preventDefault();
      this.finishDrawing();
    });
  }

  /** The base map's layers are there (the style was read): overlays may be added from now on. */
  get #baseAdded(): boolean {
    return this.map.getSource(BOUNDARY_SOURCE) !== undefined;
  }

  /**
   * The overlays (plot, drafts, warning areas, devices, alerts, the selected case) are added when
   * first given something to show, not with the base map: at the start they are all empty, and
   * each layer is one more for the worker to set up before it asks for the first tiles. The plot
   * and warning areas go under the cases, the rest above them, whenever they are added.
   */
  #addOverlays() {
    if (this.#overlaysAdded) return;
    this.#overlaysAdded = true;
    const m = this.map;
    const under = m.getLayer('case-clusters') ? 'case-clusters' : undefined;
    const underCases = (layer: Parameters<MlMap['addLayer']>[0]) => m.addLayer(layer, under);
    // Plot (在线标绘) under the cases, above the ground.
    m.addSource('plot', { type: 'geojson', data: empty() });
    m.addSource('draft', { type: 'geojson', data: empty() });
    underCases({ id: 'plot-fill', type: 'fill', source: 'plot', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': ['coalesce', ['get', 'color'], COLORS.plot], 'fill-opacity': 0.22 } });
    underCases({ id: 'plot-line', type: 'line', source: 'plot', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': ['coalesce', ['get', 'color'], COLORS.plot], 'line-width': 3, 'line-dasharray': [2, 1] } });
    underCases({ id: 'plot-point', type: 'circle', source: 'plot', filter: ['all', ['==', ['geometry-type'], 'Point'], ['!=', ['get', 'kind'], 'label']], paint: { 'circle-radius': 7, 'circle-color': ['coalesce', ['get', 'color'], COLORS.plot], 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
    underCases({
      id: 'plot-label',
      type: 'symbol',
      source: 'plot',
      filter: ['has', 'label'],
      layout: { 'text-field': ['get', 'label'], 'text-font': ['sans-serif'], 'text-size': 14, 'text-offset': [0, 1.2], 'text-allow-overlap': true },
      paint: { 'text-color': '#fff', 'text-halo-color': COLORS.plot, 'text-halo-width': 2 },
    });
    underCases({ id: 'draft-line', type: 'line', source: 'draft', paint: { 'line-color': '#fff', 'line-width': 2, 'line-dasharray': [1, 1] } });
    underCases({ id: 'draft-point', type: 'circle', source: 'draft', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#fff' } });

    // CAP warning areas under the cases: a tinted fill and the outline in the warning's colour.
    m.addSource('alert-areas', { type: 'geojson', data: empty() });
    underCases({ id: 'alert-area-fill', type: 'fill', source: 'alert-areas', paint: { 'fill-color': SEVERITY_MATCH, 'fill-opacity': 0.14 } });
    underCases({ id: 'alert-area-line', type: 'line', source: 'alert-areas', paint: { 'line-color': SEVERITY_MATCH, 'line-width': 2, 'line-dasharray': [4, 2] } });

    // Devices: green when normal, red while an alert is active on them, grey when disabled.
    m.addSource('devices', { type: 'geojson', data: empty() });
    m.addLayer({
      id: 'devices',
      type: 'circle',
      source: 'devices',
      minzoom: DEVICE_MIN_ZOOM,
      paint: {
        'circle-radius': ['case', ['get', 'alerting'], 6, 4],
        'circle-color': ['case', ['get', 'alerting'], COLORS.deviceAlerting, ['==', ['get', 'status'], 'disabled'], COLORS.deviceDisabled, COLORS.deviceNormal],
        'circle-stroke-color': '#e2e8f0',
        'circle-stroke-width': 1,
      },
    });
    m.addSource('alerts', { type: 'geojson', data: empty() });
    m.addLayer({
      id: 'alerts',
      type: 'circle',
      source: 'alerts',
      paint: {
        'circle-radius': ['case', ['in', ['get', 'severity'], ['literal', ['orange', 'red']]], 13, 10],
        'circle-color': SEVERITY_MATCH,
        'circle-opacity': 0.35,
        'circle-stroke-color': SEVERITY_MATCH,
        'circle-stroke-width': 3,
      },
    });
    m.addSource('selected', { type: 'geojson', data: empty() });
    m.addLayer({ id: 'selected', type: 'circle', source: 'selected', paint: { 'circle-radius': 16, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': COLORS.selected, 'circle-stroke-width': 3 } });

    for (const layers of Object.values(SOURCE_LAYERS)) for (const id of layers) if (m.getLayer(id)) m.setLayoutProperty(id, 'visibility', 'none');
  }

  /** The case layers, under the devices and alerts. Cluster colour says whether anything inside is overdue. */
  #addCaseLayers(layer: CaseLayer) {
    const m = this.map;
    const b = this.#opts.focus.bbox;
    m.addSource('cases', {
      type: 'vector',
      tiles: [absolute(layer.tiles)],
      maxzoom: layer.maxzoom,
      // No requests for tiles outside the jurisdiction: they would come back empty.
      ...(b ? { bounds: [b[0], b[1], b[2], b[3]] as [number, number, number, number] } : {}),
    });
    const before = m.getLayer('devices') ? 'devices' : undefined;
    m.addLayer(
      {
        id: 'case-clusters',
        type: 'circle',
        source: 'cases',
        'source-layer': 'cases',
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': COLORS.cluster,
          'circle-opacity': 0.88,
          'circle-radius': ['step', ['get', 'point_count'], 12, 20, 16, 200, 21, 2000, 27, 20000, 34],
          'circle-stroke-color': ['case', ['>', ['get', 'overdue'], 0], COLORS.caseOverdue, '#9cc9ef'],
          'circle-stroke-width': ['case', ['>', ['get', 'urgent'], 0], 3.5, 1.5],
        },
      },
      before,
    );
    m.addLayer(
      {
        id: 'case-cluster-count',
        type: 'symbol',
        source: 'cases',
        'source-layer': 'cases',
        filter: ['has', 'point_count'],
        layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': ['sans-serif'], 'text-size': 12, 'text-allow-overlap': true },
        paint: { 'text-color': '#fff' },
      },
      before,
    );
    m.addLayer(
      {
        id: 'case-points',
        type: 'circle',
        source: 'cases',
        'source-layer': 'cases',
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': GROUP_COLOR,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, ['+', 4, ['get', 'p']], 16, ['+', 7, ['*', 1.5, ['get', 'p']]]],
          'circle-stroke-color': '#0b1a2b',
          'circle-stroke-width': 1.2,
        },
      },
      before,
    );
  }

  /**
   * Layers of a source with nothing in it are switched off: every visible layer's source is asked
   * for each new tile by the worker, and an empty answer still costs a round trip while panning.
   */
  #setData(source: string, fc: GeoJSON.FeatureCollection) {
    // Empty again: nothing to send to the worker.
    if (fc.features.length === 0 && this.#emptySources.has(source)) return;
    this.#addOverlays();
    if (fc.features.length === 0) this.#emptySources.add(source);
    else this.#emptySources.delete(source);
    (this.map.getSource(source) as GeoJSONSource).setData(fc);
    const on = fc.features.length > 0 ? 'visible' : 'none';
    for (const id of SOURCE_LAYERS[source] ?? []) if (this.map.getLayer(id) && this.map.getLayoutProperty(id, 'visibility') !== on) this.map.setLayoutProperty(id, 'visibility', on);
  }

  async #expandCluster(e: MapMouseEvent & { features?: MapGeoJSONFeature[] }) {
    if (this.#drawing) return;
    const f = e.features?.[0];
    if (!f) return;
    // The server put the zoom at which the cluster falls apart on it (src/map-tiles/case-map-tiles.ts).
    const zoom = Number(f.properties.expansion_zoom ?? this.map.getZoom() + 2);
    // A cluster that falls apart only past the server's last clustered zoom (its cases lie within a
    // few metres), or one the map is already zoomed to: its cases as a list.
    const cannotExpand = zoom > CASE_CLUSTER_MAX_ZOOM && this.map.getZoom() >= CASE_CLUSTER_MAX_ZOOM - 1;
    if (this.#opts.onCaseList && (cannotExpand || this.map.getZoom() >= Math.min(zoom, 17) - 0.01)) {
      this.#opts.onCaseList(this.#boxAround(e.point, CASE_CLUSTER_RADIUS_PX));
      return;
    }
    this.map.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom: Math.min(zoom, 17) });
  }

  /** The box of the map within `px` screen pixels of a point, GCJ-02. */
  #boxAround(p: { x: number; y: number }, px: number): [number, number, number, number] {
    const a = this.map.unproject([p.x - px, p.y + px]);
    const b = this.map.unproject([p.x + px, p.y - px]);
    const r = (x: number) => Math.round(x * 1e6) / 1e6;
    return [r(a.lng), r(a.lat), r(b.lng), r(b.lat)];
  }

  /**
   * The case layer: clustered vector tiles made by the server for the viewer's jurisdiction (see
   * src/map-tiles/case-map-tiles.ts). The browser only draws; nothing of the 100,000 cases is indexed here.
   */
  setCaseLayer(layer: CaseLayer): void {
    const first = this.#caseLayer === null;
    const changed = this.#caseLayer?.tiles !== layer.tiles;
    this.#caseLayer = layer;
    this.#opts.onCaseCount?.(layer.count);
    if (!changed) return;
    void this.ready.then(() => {
      const src = this.map.getSource('cases') as VectorTileSource | undefined;
      if (src) src.setTiles([absolute(layer.tiles)]);
      else this.#addCaseLayers(layer);
      if (first) {
        performance.mark('cityloop:cases-set');
        const shown = () => {
          if (this.map.isSourceLoaded('cases')) {
            this.map.off('idle', shown);
            this.#casesShownResolve();
          }
        };
        this.map.on('idle', shown);
      }
    });
  }

  get caseCount(): number {
    return this.#caseLayer?.count ?? 0;
  }

  /**
   * Asks the server for the case layer's new version and reloads the case tiles under it. Changes
   * that arrive together make one refresh; a refresh never overlaps another.
   */
  refreshCases(): void {
    if (!this.#opts.fetchCaseLayer) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    if (this.#refreshTimer) return;
    const wait = Math.max(300, this.#lastRefresh + CASE_REFRESH_MS - Date.now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      this.#refreshing = true;
      this.#lastRefresh = Date.now();
      this.#opts.fetchCaseLayer!()
        .then((l) => this.setCaseLayer(l))
        .catch(() => undefined) // the next change asks again; the tiles at hand stay shown
        .finally(() => {
          this.#refreshing = false;
          if (this.#refreshAgain) {
            this.#refreshAgain = false;
            this.refreshCases();
          }
        });
    }, wait);
  }

  setSelected(loc: { lng: number; lat: number } | null, fly = false): void {
    if (!this.#baseAdded) {
      void this.ready.then(() => this.setSelected(loc, fly));
      return;
    }
    this.#setData('selected', loc ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [loc.lng, loc.lat] } }] } : empty());
    if (loc && fly) this.map.easeTo({ center: [loc.lng, loc.lat], zoom: Math.max(this.map.getZoom(), 15) });
  }

  /** Open alerts: located ones as rings in their colour, CAP warnings as their areas. */
  setAlerts(alerts: readonly AlertView[]): void {
    const open = alerts.filter((a) => a.status === 'raised' || a.status === 'acknowledged');
    const points = open
      .filter((a) => a.location)
      .map((a) => ({ type: 'Feature' as const, properties: { id: a.id, severity: a.severity, title: a.title }, geometry: { type: 'Point' as const, coordinates: [a.location!.lon, a.location!.lat] } }));
    const areas = open
      .filter((a) => a.evidence?.area)
      .map((a) => ({ type: 'Feature' as const, properties: { id: a.id, severity: a.severity, title: a.title }, geometry: a.evidence!.area! }));
    void this.ready.then(() => {
      this.#setData('alerts', { type: 'FeatureCollection', features: points });
      this.#setData('alert-areas', { type: 'FeatureCollection', features: areas });
    });
  }

  /** Moves the view to an alert: its point, or its area's extent. */
  showAlert(a: AlertView): void {
    const area = a.evidence?.area;
    if (area) {
      const pts = (area.type === 'Polygon' ? area.coordinates.flat() : area.coordinates.flat(2)) as number[][];
      const xs = pts.map((p) => p[0]!);
      const ys = pts.map((p) => p[1]!);
      if (xs.length > 0) this.map.fitBounds([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], { padding: 60, maxZoom: 14, duration: 600 });
      this.setSelected(null);
      return;
    }
    if (a.location) this.setSelected({ lng: a.location.lon, lat: a.location.lat }, true);
  }

  setDevices(devices: readonly DeviceView[]): void {
    this.#devices = new Map(devices.map((d) => [d.id, { type: 'Feature' as const, properties: { id: d.id, status: d.status, alerting: d.alerting, name: d.name, type: d.type }, geometry: { type: 'Point' as const, coordinates: [d.location.lon, d.location.lat] } }]));
    this.#pushDevices();
  }

  /** The devices in view changed (an alert on one ended, live): asked for again. */
  refreshDevices(): void {
    this.#loadDevicesInView(true);
  }

  #loadDevicesInView(again = false): void {
    const fetchDevices = this.#opts.fetchDevices;
    if (!fetchDevices) return;
    if (this.map.getZoom() < DEVICE_MIN_ZOOM - 0.5) {
      // No devices are drawn at this zoom: nothing is left out of view either.
      if (this.#devicesCapped) this.#opts.onDevicesCapped?.(null);
      return;
    }
    const b = this.map.getBounds();
    const view: DeviceBox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const held = this.#devicesBox && boxHolds(this.#devicesBox, view);
    if (!again && held && !this.#devicesCapped) return;
    const box = this.#devicesCapped ? view : again && held ? this.#devicesBox! : grownBox(view);
    const asked = ++this.#devicesAsked;
    fetchDevices(box)
      .then((list) => {
        // An answer overtaken by a newer request (the map moved on) is dropped.
        if (asked !== this.#devicesAsked) return;
        this.#devicesBox = box;
        this.#devicesCapped = list.truncated;
        this.#opts.onDevicesCapped?.(list.truncated ? list.items.length : null);
        this.setDevices(list.items);
      })
      .catch(() => undefined); // the next move asks again; the devices at hand stay shown
  }

  /** An alert on a device went up or down (live feed). */
  setDeviceAlerting(id: string, alerting: boolean): void {
    const f = this.#devices.get(id);
    if (!f || f.properties!.alerting === alerting) return;
    f.properties = { ...f.properties, alerting };
    this.#pushDevices();
  }

  get devices(): readonly GeoJSON.Feature<GeoJSON.Point>[] {
    return [...this.#devices.values()];
  }

  /**
   * Devices are drawn from DEVICE_MIN_ZOOM: below it their source stays empty, so the worker is not
   * kept busy with hundreds of meters nobody can see while the city's first map is being drawn.
   */
  #pushDevices() {
    void this.ready.then(() => {
      if (this.map.getZoom() < DEVICE_MIN_ZOOM - 0.5) {
        if (!this.#devicesWaiting) {
          this.#devicesWaiting = true;
          const onZoom = () => {
            if (this.map.getZoom() < DEVICE_MIN_ZOOM - 0.5) return;
            this.map.off('zoomend', onZoom);
            this.#devicesWaiting = false;
            this.#pushDevices();
          };
          this.map.on('zoomend', onZoom);
        }
        return;
      }
      this.#setData('devices', { type: 'FeatureCollection', features: [...this.#devices.values()] });
    });
  }

  setPlot(fc: GeoJSON.FeatureCollection): void {
    this.#plot = fc;
    void this.ready.then(() => this.#setData('plot', fc));
  }

  get plot(): GeoJSON.FeatureCollection {
    return this.#plot;
  }

  get drawing(): PlotKind | null {
    return this.#drawing?.kind ?? null;
  }

  /** Starts drawing one plot feature; points are added by clicks, double-click or finishDrawing() ends lines and polygons. */
  startDrawing(kind: PlotKind): Promise<GeoJSON.Feature | null> {
    this.cancelDrawing();
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    return new Promise((done) => {
      this.#drawing = { kind, coords: [], done };
    });
  }

  /** Adds a vertex at a map position (clicks do this; so do the keyboard and tests). */
  addVertex(lng: number, lat: number): void {
    const d = this.#drawing;
    if (!d) return;
    d.coords.push([lng, lat]);
    if (d.kind === 'point' || d.kind === 'label') {
      void this.finishDrawing();
      return;
    }
    this.#updateDraft();
  }

  #drawClick(e: MapMouseEvent) {
    if (!this.#drawing) return;
    this.addVertex(e.lngLat.lng, e.lngLat.lat);
  }

  #updateDraft() {
    const d = this.#drawing;
    if (!this.#baseAdded) return;
    if (!d) {
      this.#setData('draft', empty());
      return;
    }
    const pts = d.coords.map((c) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: c } }));
    const ring = d.kind === 'polygon' && d.coords.length > 2 ? [...d.coords, d.coords[0]!] : d.coords;
    const line = ring.length > 1 ? [{ type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: ring } }] : [];
    this.#setData('draft', { type: 'FeatureCollection', features: [...pts, ...line] });
  }

  async finishDrawing(): Promise<void> {
    const d = this.#drawing;
    if (!d) return;
    // A double-click adds the same vertex twice.
    const coords = d.coords.filter((c, i) => i === 0 || c[0] !== d.coords[i - 1]![0] || c[1] !== d.coords[i - 1]![1]);
    let f: GeoJSON.Feature | null = null;
    const now = new Date().toISOString();
    if ((d.kind === 'point' || d.kind === 'label') && coords[0]) {
      let label: string | null = null;
      if (d.kind === 'label') {
        label = (await this.#opts.askLabel?.()) ?? null;
        if (!label) {
          this.cancelDrawing();
          return;
        }
      }
      f = { type: 'Feature', properties: { kind: d.kind, at: now, ...(label ? { label } : {}) }, geometry: { type: 'Point', coordinates: coords[0] } };
    } else if (d.kind === 'line' && coords.length >= 2) {
      f = { type: 'Feature', properties: { kind: 'line', at: now }, geometry: { type: 'LineString', coordinates: coords } };
    } else if (d.kind === 'polygon' && coords.length >= 3) {
      f = { type: 'Feature', properties: { kind: 'polygon', at: now }, geometry: { type: 'Polygon', coordinates: [[...coords, coords[0]!]] } };
    }
    this.#drawing = null;
    this.#updateDraft();
    this.map.getCanvas().style.cursor = '';
    this.map.doubleClickZoom.enable();
    d.done(f);
  }

  cancelDrawing(): void {
    const d = this.#drawing;
    if (!d) return;
    this.#drawing = null;
    this.#updateDraft();
    this.map.getCanvas().style.cursor = '';
    this.map.doubleClickZoom.enable();
    d.done(null);
  }

  destroy(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.map.remove();
  }
}
