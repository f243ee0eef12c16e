/** Polls a condition until it holds (returning its value) or the time is up: for effects that arrive asynchronously (MQTT, the live feed). */
export async function until<T>(f: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 8_000, everyMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
