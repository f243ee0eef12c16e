/**
 * The shipped rules (rules/*.yaml), compiled, and a feeder that plays timed readings through one
 * of them: for the simulator's tests (a normal day must raise nothing, an incident must raise).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CATEGORIES } from '../../cities/chongqing/categories.ts';
import { deviceType } from '../../src/sensing/devices/device-types.ts';
import { compileRule, parseRuleDocument, type CompiledRule } from '../../src/sensing/rules/rule-definition.ts';
import { onReading, onTick, type RuleEffect, type RuleState, type RuleSubject } from '../../src/sensing/rules/rule-engine.ts';

const DIR = fileURLToPath(new URL('../../cities/chongqing/rules', import.meta.url));

export function shippedRules(): Map<string, CompiledRule> {
  const out = new Map<string, CompiledRule>();
  for (const file of readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    const r = parseRuleDocument(readFileSync(join(DIR, file), 'utf8'), file, {
      knownCategories: new Set(DEMO_CATEGORIES.map((c) => c.code)),
      metricsOf: (type) => {
        const t = deviceType(type);
        return t === undefined ? undefined : new Set(t.metrics.map((m) => m.name));
      },
    });
    if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
    for (const def of r.rules) out.set(def.id, compileRule(def));
  }
  return out;
}

export interface FedEffect {
  readonly atMs: number;
  readonly effect: RuleEffect;
}

/** A rule's running state for one subject: readings and ticks in, effects collected. */
export class RuleFeeder {
  #state: RuleState | null = null;
  readonly effects: FedEffect[] = [];
  constructor(
    readonly rule: CompiledRule,
    readonly subject: RuleSubject,
  ) {}

  reading(atMs: number, values: Record<string, number>): RuleEffect[] {
    const o = onReading(this.rule, this.subject, this.#state, { deviceId: this.subject.key, ts: new Date(atMs).toISOString(), values });
    this.#state = o.state;
    for (const effect of o.effects) this.effects.push({ atMs, effect });
    return o.effects;
  }

  tick(atMs: number): RuleEffect[] {
    const o = onTick(this.rule, this.subject, this.#state, new Date(atMs).toISOString());
    this.#state = o.state;
    for (const effect of o.effects) this.effects.push({ atMs, effect });
    return o.effects;
  }

  get active(): boolean {
    return this.#state?.active === true;
  }
}
