import { useId, useState } from 'react';
import { api, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { RasterView } from '../analysis/analysis-types.ts';

/**
 * A terrain (GeoTIFF DEM) sent from the disk to `POST /api/v1/rasters`, in the page's language:
 * a styled button over a visually hidden file input, as the photo picker does. The server reads and
 * checks the file (CRS, nodata, size) and answers its refusal in the caller's language; a stored
 * raster is handed back so the form can select it at once.
 */
export function DemUpload({ onStored }: { onStored: (r: RasterView) => void }) {
  const { tr } = useI18n();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const upload = async (file: File) => {
    setBusy(true);
    setError(null);
    try {
      const name = file.name.replace(/\.tiff?$/i, '') || 'DEM';
      const r = await api<RasterView>(`/api/v1/rasters?kind=dem&name=${encodeURIComponent(name)}`, { raw: { data: file, type: 'image/tiff' } });
      onStored(r);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row wrap">
      <label className="button" htmlFor={id} aria-disabled={busy}>
        {busy ? tr('正在导入…', 'Importing…') : tr('导入地形文件', 'Import a terrain file (GeoTIFF)')}
      </label>
      <input
        id={id}
        className="sr-only"
        type="file"
        accept=".tif,.tiff,image/tiff"
        disabled={busy}
        aria-label={tr('导入地形文件', 'Import a terrain file (GeoTIFF)')}
        data-testid="dem-upload"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void upload(f);
        }}
      />
      {error && (
        <span className="error small" role="alert" data-testid="dem-upload-error">
          {error}
        </span>
      )}
    </div>
  );
}
