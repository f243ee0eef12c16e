/**
 * The cases a KPI question covers, page after page until the last: the figures are counted as the
 * pages arrive (compute-kpis.ts `tallyKpis`), so no case is left out however many there are.
 */
import type { Principal } from '../auth/principal.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import type { CaseListFilter } from '../cases/case-list.ts';

/** What pages need of the case service: its list with a cursor. */
export interface CaseLister {
  list(p: Principal, f: CaseListFilter): Promise<{ items: CaseDoc[]; nextCursor: string | null }>;
}

const PAGE = 200;

export async function* casePages(cases: CaseLister, p: Principal, filter: Omit<CaseListFilter, 'cursor' | 'limit'>): AsyncGenerator<CaseDoc[]> {
  let cursor: string | undefined;
  do {
    const page = await cases.list(p, { ...filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
