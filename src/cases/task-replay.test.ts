import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { CaseEvent } from './case-events.ts';
import { findReplayedTaskEvent } from './task-replay.ts';

const me: Principal = { userId: 'u-gw', username: 'gridworker', displayName: '网格员', roles: ['grid_worker'], centerId: null, tier: null, unitId: 'unit-x-community', jurisdictionCode: 'g1' };
let seq = 0;
const ev = (type: string, payload: Record<string, unknown>, actorId = me.userId): CaseEvent =>
  ({ seq: ++seq, id: `e${seq}`, streamId: 'c1', streamVersion: seq, schemaVersion: 1, actor: { id: actorId, name: actorId, roles: [] }, at: '2026-03-02T01:00:00.000Z', type, payload }) as unknown as CaseEvent;

describe('resent task commands are recognised by their effect', () => {
  const log = [
    ev('TaskAccepted', { taskId: 't1' }),
    ev('TaskCompleted', { taskId: 't1', note: '已通知', evidence: { attachmentIds: ['a2', 'a1'], reading: null } }),
    ev('TaskAccepted', { taskId: 't2' }, 'u-colleague'),
    ev('TaskArrived', { taskId: 't1', arrivedAt: '2026-03-02T00:58:00.000Z', lng: 106.58, lat: 29.56, accuracyM: null, distanceM: 0, arriveBy: null, late: false }),
  ];

  it('finds the earlier copy: same task, same person, same content', () => {
    expect(findReplayedTaskEvent(log, me, { type: 'accept_task', taskId: 't1' })?.type).toBe('TaskAccepted');
    expect(findReplayedTaskEvent(log, me, { type: 'complete_task', taskId: 't1', note: ' 已通知 ', evidence: { attachmentIds: ['a1', 'a2'] } })?.type).toBe('TaskCompleted');
  });

  it('an arrival resent from the offline queue: the same device time', () => {
    expect(findReplayedTaskEvent(log, me, { type: 'arrive_task', taskId: 't1', lng: 106.58, lat: 29.56, at: '2026-03-02T08:58:00+08:00' })?.type).toBe('TaskArrived');
    // Another arrival (another time, or none given: the server's now) is not a resend.
    expect(findReplayedTaskEvent(log, me, { type: 'arrive_task', taskId: 't1', lng: 106.58, lat: 29.56, at: '2026-03-02T00:59:00.000Z' })).toBeNull();
    expect(findReplayedTaskEvent(log, me, { type: 'arrive_task', taskId: 't1', lng: 106.58, lat: 29.56 })).toBeNull();
  });

  it('treats anything else as a real conflict', () => {
    expect(findReplayedTaskEvent(log, me, { type: 'complete_task', taskId: 't1', note: '另一条' })).toBeNull();
    expect(findReplayedTaskEvent(log, me, { type: 'complete_task', taskId: 't1', note: '已通知', evidence: { attachmentIds: ['a1'] } })).toBeNull();
    expect(findReplayedTaskEvent(log, me, { type: 'complete_task', taskId: 't1', note: '已通知', evidence: { attachmentIds: ['a1', 'a2'], reading: { name: 'p', value: 1, unit: 'MPa' } } })).toBeNull();
    expect(findReplayedTaskEvent(log, me, { type: 'start_task', taskId: 't1' })).toBeNull();
    // A colleague signed for t2: not my resend.
    expect(findReplayedTaskEvent(log, me, { type: 'accept_task', taskId: 't2' })).toBeNull();
    expect(findReplayedTaskEvent(log, me, { type: 'accept_task', taskId: 't3' })).toBeNull();
  });
});
