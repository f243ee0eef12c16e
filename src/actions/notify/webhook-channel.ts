/**
 * Notifications as HTTP POSTs to a receiver the city runs (an SMS gateway, a duty-office chat
 * bot, a county system). Body: `{ to, message, caseId, key, sentAt }` as JSON. With a secret the
 * request carries `X-CityLoop-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>` (the
 * scheme GitHub webhooks use) so the receiver can check it came from CityLoop.
 *
 * Network errors, timeouts and 5xx are retried twice; a receiver may therefore see one message
 * more than once and should drop duplicates by `key`. A 4xx is not retried: the request itself is
 * wrong and would be refused again.
 *
 * Requests go through the outbound client (`src/outbound/`): the receiver's host must be allowed
 * (OUTBOUND_ALLOW_HOSTS) and resolve to an allowed address; a refusal is not retried either.
 */
import { createHmac } from 'node:crypto';
import { systemClock, type Clock } from '../../clock.ts';
import type { Notification, NotifyChannel, NotifyResult } from '../notify.ts';
import { outboundFailureOf, type OutboundClient } from '../../outbound/outbound-fetch.ts';
import { isCityLoopError } from '../../errors.ts';

export interface WebhookChannelOptions {
  /** Default 'webhook'. */
  readonly name?: string;
  /** Logical recipient → http(s) URL. URLs often embed a token, so they never appear in results. */
  readonly targets: Readonly<Record<string, string>>;
  readonly secret?: string;
  /** Per attempt. Default 5 s. */
  readonly timeoutMs?: number;
  /** Pause before the first retry, doubled before the second. Default 200 ms. */
  readonly retryDelayMs?: number;
  /** The one door for outbound requests, with the administrator's policy. */
  readonly outbound: OutboundClient;
  readonly clock?: Clock;
}

const RETRIES = 2;

export function createWebhookChannel(opts: WebhookChannelOptions): NotifyChannel {
  const name = opts.name ?? 'webhook';
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const retryDelayMs = opts.retryDelayMs ?? 200;
  const clock = opts.clock ?? systemClock;
  const targets = new Map<string, URL>();
  // Checked once at start-up, so a typo in the settings fails there and not on the first flood.
  for (const [to, raw] of Object.entries(opts.targets)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`webhook channel ${name}: target ${JSON.stringify(to)} is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`webhook channel ${name}: target ${JSON.stringify(to)} must be an http or https URL (got ${url.protocol})`);
    }
    targets.set(to, url);
  }

  return {
    name,
    async send(n: Notification): Promise<NotifyResult> {
      const url = targets.get(n.to);
      if (!url) return { delivered: false, detail: `no webhook target for recipient ${JSON.stringify(n.to)}` };
      const body = JSON.stringify({ to: n.to, message: n.message, caseId: n.caseId, key: n.key, sentAt: clock.now().toISOString() });
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'CityLoop-webhook' };
      if (opts.secret) headers['x-cityloop-signature'] = `sha256=${createHmac('sha256', opts.secret).update(body, 'utf8').digest('hex')}`;

      let lastProblem = '';
      for (let attempt = 0; attempt <= RETRIES; attempt++) {
        if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
        let res: { status: number };
        try {
          // maxRedirects 0: a 3xx is answered as a failure rather than followed, so the body
          // and its signature only ever go to the configured receiver. The receiver's answer is
          // not used: 64 KiB of it is plenty to read to the end.
          res = await opts.outbound.request(url, { method: 'POST', headers, body, maxRedirects: 0, timeoutMs, maxBytes: 64 * 1024 });
        } catch (err) {
          if (isCityLoopError(err) && err.code === 'OUTBOUND_REFUSED') {
            return { delivered: false, detail: `refused by the outbound policy (${String(err.extra?.rule ?? 'url')})` };
          }
          lastProblem = describeFetchError(err, timeoutMs);
          continue;
        }
        if (res.status >= 200 && res.status < 300) {
          return { delivered: true, detail: attempt === 0 ? null : `delivered on attempt ${attempt + 1}` };
        }
        lastProblem = `HTTP ${res.status}`;
        if (res.status < 500) return { delivered: false, detail: `receiver answered ${lastProblem}` };
      }
      return { delivered: false, detail: `${lastProblem} after ${RETRIES + 1} attempts` };
    },
  };
}

/** Never the URL (it may carry a token) nor anything the receiver sent. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const f = outboundFailureOf(err);
  if (!f) return 'network error';
  if (f.failure === 'timeout') return `no answer within ${timeoutMs} ms`;
  if (f.failure === 'connect-timeout') return 'no connection in time';
  if (f.failure === 'too-large') return 'the answer was too large';
  return `network error${f.networkError ? ` ${f.networkError}` : ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
