import { describe, expect, it } from 'vitest';
import { NotifierRegistry, type Notification, type NotifyChannel } from './notify.ts';

function recording(name: string): NotifyChannel & { sent: Notification[] } {
  const sent: Notification[] = [];
  return { name, sent, send: async (n) => (sent.push(n), { delivered: true, detail: null }) };
}

const note = (channel: string): Notification => ({ channel, to: 'duty-office', message: '南开下穿道积水，请立即处置', caseId: 'case-1', key: 'case-1/notify-duty' });

describe('NotifierRegistry', () => {
  it('routes by the notification channel name', async () => {
    const webhook = recording('webhook');
    const log = recording('log');
    const registry = new NotifierRegistry([webhook]).register(log);
    expect(registry.names()).toEqual(['log', 'webhook']);
    await expect(registry.send(note('log'))).resolves.toEqual({ delivered: true, detail: null });
    expect(log.sent).toHaveLength(1);
    expect(webhook.sent).toHaveLength(0);
  });

  it('reports an unknown channel as undelivered instead of throwing', async () => {
    const registry = new NotifierRegistry([recording('log')]);
    const r = await registry.send(note('sms'));
    expect(r.delivered).toBe(false);
    expect(r.detail).toMatch(/^unknown channel "sms" \(registered: log\)/);
    await expect(new NotifierRegistry().send(note('sms'))).resolves.toMatchObject({ detail: expect.stringContaining('registered: none') });
  });

  it('turns a channel that throws into an undelivered result', async () => {
    const broken: NotifyChannel = { name: 'sms', send: async () => { throw new Error('gateway down'); } };
    const r = await new NotifierRegistry([broken]).send(note('sms'));
    expect(r).toEqual({ delivered: false, detail: 'channel sms failed: gateway down' });
  });

  it('refuses two channels under one name', () => {
    expect(() => new NotifierRegistry([recording('log'), recording('log')])).toThrow(/"log" is registered twice/);
  });
});
