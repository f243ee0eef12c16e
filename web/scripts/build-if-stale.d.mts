/** True when web/dist is missing or older than a web source. */
export function webBuildIsStale(): boolean;
/** Runs `vite build` when web/dist is stale; resolves true when it built. */
export function buildWebIfStale(opts?: { quiet?: boolean }): Promise<boolean>;
