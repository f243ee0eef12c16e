import { useI18n } from '../i18n.tsx';
import { LAYER_NAMES, UNIT_NAMES, nameOf } from '../labels.ts';
import { legendGradient, legendRows } from '../analysis/legend.ts';
import type { RasterLegend as Legend } from '../analysis/analysis-types.ts';

/**
 * The legend of a raster drawn on the map: the server's stops (values and the colours its image was
 * painted with), the layer's name and unit in the page's language — depth in metres, arrival in
 * minutes. A bar for the eye, the stops as a list for a screen reader and for reading exact values.
 */
export function RasterLegend({ layer, unit, legend }: { readonly layer: string; readonly unit?: string | null; readonly legend: Legend }) {
  const { tr } = useI18n();
  const rows = legendRows(legend);
  const u = unit ?? legend.unit ?? '';
  const unitText = u ? nameOf(UNIT_NAMES, u, tr, ['', '']) : '';
  const title = nameOf(LAYER_NAMES, layer, tr, ['图层', 'Layer']);
  return (
    <figure className="raster-legend" data-testid="raster-legend" aria-label={tr(`图例：${title}`, `Legend: ${title}`)}>
      <figcaption>
        {title}
        {unitText && <span className="muted">（{unitText}）</span>}
      </figcaption>
      <div className="raster-legend-bar" aria-hidden="true" style={{ background: legendGradient(legend) }} />
      <ol className="raster-legend-stops">
        {rows.map((r, i) => (
          <li key={i} data-testid="legend-stop">
            <i style={{ background: r.color }} aria-hidden="true" />
            {r.text}
          </li>
        ))}
      </ol>
    </figure>
  );
}
