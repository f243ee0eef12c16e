/** What the bus carries of alerts, and the bus as sensing and the platform see it (cases and alerts both). */
import type { EventBus } from '../../events/event-bus.ts';
import type { Committed } from '../../cases/committed.ts';
import type { AlertDoc, AlertEvent } from './alert-model.ts';

/** An alert's committed events and the alert as it now is. */
export interface CommittedAlert {
  readonly events: readonly AlertEvent[];
  readonly alert: AlertDoc;
}

export type CityBus = EventBus<Committed, CommittedAlert>;
