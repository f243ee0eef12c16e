// The GeoTIFF reader's thread entry: the platform runs its TypeScript through tsx's loader
// (bin/cityloop.js), and a worker thread starts without the loaders of the thread that made it.
import { register } from 'tsx/esm/api';

register();
await import('./geotiff-worker.ts');
