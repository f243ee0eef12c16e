/**
 * The effects a plan's events call for, decided with the events (pure). A `PlanApplied` event
 * calls for each automatic step: a command to each device of a device step, a message for each
 * notification. A `CaseClosed` event calls for the undo of every device step that was confirmed
 * (the signals back to green). The case service writes them to the outbox in the transaction that
 * appends the events; the runner (`plan-actions.ts`) carries them out and records each outcome as
 * an event of the case in the transaction that marks the effect done — so an effect is neither
 * lost by a crash nor recorded twice. Its id is the command id a device sees, so a command resent
 * after a crash is recognised by the device as the same one.
 */
import type { ActionState } from '../cases/case-model.ts';
import type { ResolvedAction } from './plan-engine.ts';

type DeviceAction = Extract<ResolvedAction, { type: 'device' }>;
type NotifyAction = Extract<ResolvedAction, { type: 'notify' }>;

export type PlanEffect =
  | { readonly kind: 'device_command'; readonly phase: 'apply' | 'undo'; readonly action: DeviceAction; readonly deviceId: string; readonly command: { name: string; params: Record<string, unknown> } }
  | { readonly kind: 'notify'; readonly phase: 'apply'; readonly action: NotifyAction };

/** The effects of a plan being applied: every device of every device step, every notification. */
export function effectsOfPlanApplied(actions: readonly ResolvedAction[]): PlanEffect[] {
  const out: PlanEffect[] = [];
  for (const a of actions) {
    if (a.type === 'notify') out.push({ kind: 'notify', phase: 'apply', action: a });
    else for (const deviceId of a.deviceIds) out.push({ kind: 'device_command', phase: 'apply', action: a, deviceId, command: a.command });
  }
  return out;
}

/**
 * The effects of a case closing: the undo command of each device step with one whose command the
 * device confirmed (and that was not undone already). A step that never took needs no undo.
 */
export function effectsOfCaseClosed(actions: readonly ResolvedAction[], steps: readonly ActionState[]): PlanEffect[] {
  const confirmed = new Set(steps.filter((x) => x.kind === 'device' && x.outcome === 'confirmed' && x.phase !== 'undo').map((x) => `${x.key}|${x.target}`));
  const out: PlanEffect[] = [];
  for (const a of actions) {
    if (a.type !== 'device' || a.undoOnClose === null) continue;
    for (const deviceId of a.deviceIds) if (confirmed.has(`${a.key}|${deviceId}`)) out.push({ kind: 'device_command', phase: 'undo', action: a, deviceId, command: a.undoOnClose });
  }
  return out;
}
