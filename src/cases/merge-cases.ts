/**
 * Use case: merge a duplicate into the case it repeats, in one transaction: the duplicate is
 * closed as merged, and the other case records its reporter as a supporter ("me too"), who is
 * answered with it from then on.
 */
import { CityLoopError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseDoc } from './case-model.ts';
import type { CaseCommand } from './decide-case.ts';
import { assertMayCommand } from './case-policy.ts';
import { actorOf, type CaseWriter } from './case-writer.ts';

export async function mergeCases(w: CaseWriter, p: Principal, duplicateId: string, intoId: string, reason: string): Promise<{ duplicate: CaseDoc; into: CaseDoc }> {
  const result = await w.d.store.transact(async (tx) => {
    const dup = await w.loadForUpdate(tx, duplicateId);
    const into = await w.loadForUpdate(tx, intoId);
    if (!dup) throw new CityLoopError('NOT_FOUND', { what: 'case', id: duplicateId });
    if (!into) throw new CityLoopError('NOT_FOUND', { what: 'case', id: intoId });
    const mergeCmd: CaseCommand = { type: 'merge_into', intoCaseId: into.id, intoNumber: into.number, reason };
    const supportCmd: CaseCommand = { type: 'add_supporter', caseId: dup.id, number: dup.number, reporterUserId: dup.reporter.userId };
    assertMayCommand(p, dup, mergeCmd);
    assertMayCommand(p, into, supportCmd);
    if (into.mergedInto) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `case ${into.number} was itself merged into ${into.mergedInto.number}`, detailZh: `事项 ${into.number} 已合并到 ${into.mergedInto.number}` });
    const a = await w.commit(tx, dup.id, dup, w.decide(dup, mergeCmd), actorOf(p));
    const b = await w.commit(tx, into.id, into, w.decide(into, supportCmd), actorOf(p));
    return { a, b };
  });
  w.d.bus.publish(result.a);
  w.d.bus.publish(result.b);
  return { duplicate: result.a.doc, into: result.b.doc };
}
