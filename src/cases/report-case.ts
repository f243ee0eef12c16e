/**
 * Use case: report a case (上报), and optionally run further commands on it in the same
 * transaction — the automatic path (a verified alert, a hotline agent's direct dispatch registers
 * and dispatches at once). Either the case exists with all their events, or nothing was written.
 */
import { CityLoopError } from '../errors.ts';
import { TIER_NAMES } from '../org/tiers.ts';
import { newId } from '../ids.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseEventBody } from './case-events.ts';
import type { CaseDoc } from './case-model.ts';
import type { CaseCommand } from './decide-case.ts';
import { assertMayCommand, assertMayReport } from './case-policy.ts';
import { checkReport, decideReport, owningTier, type ReportCaseInput } from './decide-report.ts';
import { cityPlace, jointDistricts, locate } from './place-case.ts';
import { caseByClientKey } from './case-queries.ts';
import { provisional, type CaseWriter } from './case-writer.ts';

/** Client ids are per user: two phones may both call their first report "1". */
function clientKey(p: Principal, clientRequestId: string): string {
  const id = clientRequestId.trim();
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(id)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'clientRequestId: 1–64 letters, digits, dot, dash, colon or underscore' });
  return `${p.userId}:${id}`;
}

export async function reportCase(w: CaseWriter, p: Principal, input: ReportCaseInput, then: readonly CaseCommand[]): Promise<CaseDoc> {
  const key = input.clientRequestId !== undefined ? clientKey(p, input.clientRequestId) : null;
  if (key === null) return report(w, p, input, then, null);
  const seen = await caseByClientKey(w.d.store.db, key);
  if (seen) return seen;
  try {
    return await report(w, p, input, then, key);
  } catch (e) {
    // Two copies of one report raced: the one that lost finds the winner's case.
    const winner = await caseByClientKey(w.d.store.db, key);
    if (winner) return winner;
    throw e;
  }
}

async function report(w: CaseWriter, p: Principal, input: ReportCaseInput, then: readonly CaseCommand[], clientRequestKey: string | null): Promise<CaseDoc> {
  assertMayReport(p);
  const { org, resolver } = w.d;
  const cat = org.category(input.categoryCode);
  if (!cat) throw new CityLoopError('UNKNOWN_CATEGORY', { code: input.categoryCode });
  const checked = checkReport(p, input, cat.defaultPriority);
  const place = input.unplaced ? cityPlace(resolver()) : locate(resolver(), input.lng, input.lat, input.crs);
  const tier = owningTier(input, w.d.defaultTier ?? 'district');
  const owner = [...place.chain].reverse().find((l) => l.level === tier) ?? place.chain[0];
  const center = owner ? org.centerOfJurisdiction(owner.code) : undefined;
  if (!center) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `no ${tier} center serves ${owner?.name ?? 'this place'}`, detailZh: `${owner?.name ?? '该地点'}没有${TIER_NAMES[tier].zh}指挥中心` });
  const now = w.d.clock.now();
  const id = newId(now.getTime());
  return w.write(p, id, null, clientRequestKey, async (tx) => {
    const number = await w.nextCaseNumber(tx, now);
    const districts = jointDistricts(resolver(), w.d.map?.(), place, input.line, input.crs);
    const centerIds = districts.map((d) => org.centerOfJurisdiction(d.code)?.id).filter((x): x is string => x !== undefined);
    const bodies: CaseEventBody[] = decideReport(p, input, checked, { number, categoryCode: cat.code, place, center: { id: center.id, tier: center.tier }, joint: { districts, centerIds } });
    let doc = provisional(null, id, bodies, now);
    for (const cmd of then) {
      assertMayCommand(p, doc, cmd as { type: CaseCommand['type']; taskId?: string });
      const more = w.decide(doc, cmd);
      doc = provisional(doc, id, more, now);
      bodies.push(...more);
    }
    return bodies;
  });
}
