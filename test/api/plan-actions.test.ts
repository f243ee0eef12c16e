import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../../src/actions/simulated-device.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';

const at = (p: readonly [number, number]) => ({ lng: p[0], lat: p[1], crs: 'gcj02' as const });

/** Real MQTT end to end: the embedded broker, the platform's device channel, simulated signals. */
describe('automatic steps of plans: device commands and notifications', () => {
  let broker: EmbeddedBroker;
  let t: TestPlatform;
  const devices: SimulatedDevice[] = [];
  let operator = '';
  // Requests name the bearer token itself (operator, admin, citizen).
  const { call } = testHttp(() => t.app, (token) => token);

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    for (const id of ['signal-nankai-n', 'signal-nankai-s']) devices.push(await connectSimulatedDevice({ url: broker.url, deviceId: id }));
    t = await openTestPlatform('sqlite', { mqttUrl: broker.url });
    operator = await t.signIn('city.operator');
  });
  afterAll(async () => {
    await t?.close();
    for (const d of devices) await d.close();
    await broker?.close();
  });

  it('turns the underpass signals red at once, confirmed by the devices, and restores them when the case closes', async () => {
    const c = (await call(operator, 'POST', '/api/v1/cases', { categoryCode: 'safety.underpass-waterlogging', source: 'sensor', title: '南开下穿道积水超限', ...at(DEMO_POINTS.nankaiUnderpass) })).body;
    const d = await call(operator, 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    await t.platform.actions.idle();
    expect(devices.map((x) => x.state.phase)).toEqual(['red', 'red']);
    let doc = (await call(operator, 'GET', `/api/v1/cases/${c.id}`)).body;
    expect(doc.automaticSteps.map((a: any) => [a.key, a.target, a.outcome, a.needsAttention]).sort()).toEqual([
      ['signals-red', 'signal-nankai-n', 'confirmed', false],
      ['signals-red', 'signal-nankai-s', 'confirmed', false],
    ]);
    // Handle and close: the plan's undo restores the signals.
    for (const task of doc.tasks) {
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'accept_task', taskId: task.id });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'complete_task', taskId: task.id, note: '已处置' });
    }
    await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'report_back', summary: '积水已排除' });
    await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'check', passed: true });
    await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'close' });
    await t.platform.actions.idle();
    expect(devices.map((x) => x.state.phase)).toEqual(['normal', 'normal']);
    doc = (await call(operator, 'GET', `/api/v1/cases/${c.id}`)).body;
    expect(doc.automaticSteps.filter((a: any) => a.phase === 'undo' && a.outcome === 'confirmed')).toHaveLength(2);
    const timeline = (await call(operator, 'GET', `/api/v1/cases/${c.id}/events`)).body.items.map((e: any) => e.type);
    expect(timeline.filter((x: string) => x === 'ActionRecorded')).toHaveLength(4);
  });

  it('raises a device that never confirms to the operator, who resends once it is back', async () => {
    const admin = await t.signIn('admin');
    const plan = [
      'id: test-signal-reset',
      'name: 信号灯复位测试',
      'trigger: { categories: [traffic.signal-fault] }',
      'level: [{ tier: district }]',
      'tasks:',
      '  - { key: fix, role: lead, unit: { kind: traffic-police, scope: district }, instructions: 检修信号灯, deadline: 2h }',
      'actions:',
      '  - { key: reset, device: { ids: [signal-test-1] }, command: { name: set_phase, params: { phase: flashing } }, retry: { times: 1, every: 1s } }',
      '',
    ].join('\n');
    const saved = await call(admin, 'POST', '/api/v1/plans', plan, { 'content-type': 'text/yaml' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const silent = await connectSimulatedDevice({ url: broker.url, deviceId: 'signal-test-1', behaviour: 'silent' });
    const c = (await call(operator, 'POST', '/api/v1/cases', { categoryCode: 'traffic.signal-fault', title: '信号灯故障', ...at(DEMO_POINTS.sanxiaSquare) })).body;
    await call(operator, 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    await t.platform.actions.idle();
    expect(silent.received).toHaveLength(2);
    let doc = (await call(operator, 'GET', `/api/v1/cases/${c.id}`)).body;
    expect(doc.automaticSteps[0]).toMatchObject({ key: 'reset', outcome: 'failed', needsAttention: true });
    await silent.close();
    const fixed = await connectSimulatedDevice({ url: broker.url, deviceId: 'signal-test-1' });
    try {
      const r = await call(operator, 'POST', `/api/v1/cases/${c.id}/actions/reset/override`, { do: 'resend' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.automaticSteps[0]).toMatchObject({ outcome: 'confirmed', phase: 'override', needsAttention: false });
      expect(fixed.state.phase).toBe('flashing');
      const ev = (await call(operator, 'GET', `/api/v1/cases/${c.id}/events`)).body.items.at(-1);
      expect(ev.actor.name).toContain('王敏');
      const citizen = await t.signIn('citizen.zhang');
      expect((await call(citizen, 'POST', `/api/v1/cases/${c.id}/actions/reset/override`, { do: 'resend' })).status).toBe(403);
    } finally {
      await fixed.close();
    }
  });

  it('sends a plan\'s notification through the log channel', async () => {
    const c = (await call(operator, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '爆管', ...at(DEMO_POINTS.guobinHospital) })).body;
    await call(operator, 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    await t.platform.actions.idle();
    const doc = (await call(operator, 'GET', `/api/v1/cases/${c.id}`)).body;
    expect(doc.automaticSteps).toEqual([expect.objectContaining({ key: 'notify-hotline', kind: 'notify', outcome: 'delivered' })]);
    const file = join(t.settings.dataDir, 'notifications.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(doc.number);
  });
});
