/**
 * Use case: a command on a case (register, dispatch, finish a task …), or several in one
 * transaction, each deciding on the case as the one before left it; and the outcome of an effect
 * from the outbox recorded on its case.
 */
import { markEffectDone } from '../store/outbox.ts';
import { CityLoopError } from '../errors.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.ts';
import type { CaseEventBody } from './case-events.ts';
import type { CaseDoc } from './case-model.ts';
import type { CaseCommand } from './decide-case.ts';
import { assertMayCommand } from './case-policy.ts';
import { provisional, type CaseWriter } from './case-writer.ts';

export function executeCommand(w: CaseWriter, p: Principal, caseId: string, command: CaseCommand, expectedVersion?: number): Promise<CaseDoc> {
  return w.write(p, caseId, expectedVersion ?? null, null, async (_tx, doc) => {
    if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
    // An evaluation given by anyone but the reporter is a follow-up call's record (回访).
    const cmd: CaseCommand = command.type === 'evaluate' ? { ...command, by: doc.reporter.userId === p.userId ? 'reporter' : 'follow_up' } : command;
    assertMayCommand(p, doc, cmd as { type: CaseCommand['type']; taskId?: string });
    return w.decide(doc, cmd);
  });
}

export function executeCommands(w: CaseWriter, p: Principal, caseId: string, commands: readonly CaseCommand[]): Promise<CaseDoc> {
  return w.write(p, caseId, null, null, async (_tx, doc) => {
    if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
    const now = w.d.clock.now();
    const bodies: CaseEventBody[] = [];
    let cur = doc;
    for (const cmd of commands) {
      assertMayCommand(p, cur, cmd as { type: CaseCommand['type']; taskId?: string });
      const more = w.decide(cur, cmd);
      cur = provisional(cur, caseId, more, now);
      bodies.push(...more);
    }
    return bodies;
  });
}

/**
 * Records the outcome of an effect from the outbox as an event of its case, in the transaction
 * that marks the effect done. `false`: the effect was done already (another runner, or this one
 * before a restart, got there first), and nothing is written — an outcome is recorded once.
 */
export async function recordEffect(w: CaseWriter, effectId: string, caseId: string, record: Extract<CaseCommand, { type: 'record_action' }>['record']): Promise<boolean> {
  return completeEffect(w, effectId, caseId, { type: 'record_action', record });
}

/**
 * An effect's outcome, as the platform's command on its case, decided in the transaction that marks
 * the effect done: `false` (and nothing decided) when it was done already — the outcome counts once.
 */
export async function completeEffect(w: CaseWriter, effectId: string, caseId: string, command: CaseCommand): Promise<boolean> {
  let recorded = false;
  await w.write(SYSTEM_PRINCIPAL, caseId, null, null, async (tx, doc) => {
    if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
    if (!(await markEffectDone(tx, effectId, w.d.clock.now().toISOString()))) return [];
    recorded = true;
    return w.decide(doc, command);
  });
  return recorded;
}
