/** What the bus carries of cases: after a transaction commits, its events and the case as it now is. */
import type { EventBus } from '../events/event-bus.ts';
import type { CaseEvent } from './case-events.ts';
import type { CaseDoc } from './case-model.ts';

export interface Committed {
  readonly events: readonly CaseEvent[];
  readonly doc: CaseDoc;
}

/** The bus as the cases see it: what it carries of alerts is not theirs to know. */
export type CaseBus = EventBus<Committed, unknown>;
