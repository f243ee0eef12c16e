/**
 * The `CaseReported` decision, pure, beside `decideCase`: what a report becomes (the case's first
 * events) from the input and what the use case looked up beforehand (the number, the place, the
 * owning center, the districts that share it). `checkReport` is the part that needs no lookup,
 * run first so that a bad report is refused before anything is read or counted.
 */
import { CityLoopError } from '../errors.ts';
import type { Crs } from '../geo/crs.ts';
import { hasRole, type Principal } from '../auth/principal.ts';
import type { CaseEventBody } from './case-events.ts';
import { CASE_SOURCES, PRIORITIES, type CaseSource, type Priority, type Tier } from './case-model.ts';
import { JOINT_CASE_METERS, type Place } from './place-case.ts';

export interface ReportCaseInput {
  readonly source?: CaseSource | undefined;
  readonly categoryCode: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly lng: number;
  readonly lat: number;
  readonly crs: Crs;
  readonly address?: string | undefined;
  readonly priority?: Priority | undefined;
  readonly reporter?: { name?: string | undefined; phone?: string | undefined; anonymous?: boolean | undefined } | undefined;
  /** 现场联系人: whom the crew may call on site (shown to those handling the case); ignored without a phone. */
  readonly siteContact?: { name?: string | undefined; phone?: string | undefined } | undefined;
  readonly externalRef?: string | undefined;
  /** Which tier's center owns the case; default from settings (the district, as in the seed). */
  readonly tier?: Tier | undefined;
  /**
   * An id the client chose for this report (a grid worker's phone): sending the same report again
   * with the same id returns the case already made instead of a second one.
   */
  readonly clientRequestId?: string | undefined;
  /**
   * The place could not be found (an address nobody knows): the case is placed at the city as a
   * whole, owned by the city center, and waits for a person to place and route it.
   */
  readonly unplaced?: boolean | undefined;
  /** The object reported, when it is a line (a trail, a river bank), in the same datum as lng/lat. */
  readonly line?: readonly (readonly [number, number])[] | undefined;
}

/** What a report says once checked: the text, the channel and the priority. */
export interface CheckedReport {
  readonly title: string;
  readonly source: CaseSource;
  readonly priority: Priority;
}

/** A citizen or grid worker reporting for themselves (not staff entering someone's report). */
function reportsForSelf(p: Principal): boolean {
  return hasRole(p, 'citizen', 'grid_worker') && !hasRole(p, 'operator', 'admin', 'system');
}

/** Checks what needs no lookup: a title, a known source and priority. Pure. */
export function checkReport(p: Principal, input: ReportCaseInput, categoryDefaultPriority: Priority): CheckedReport {
  const title = input.title?.trim();
  if (!title) throw new CityLoopError('VALIDATION_FAILED', { detail: 'title is required' });
  // A citizen or grid worker reports through their own channel, whatever they claim.
  let source: CaseSource = input.source ?? 'inspection';
  if (hasRole(p, 'citizen') && !hasRole(p, 'operator', 'admin', 'system')) source = 'citizen';
  else if (hasRole(p, 'grid_worker') && !hasRole(p, 'operator', 'admin', 'system')) source = 'grid_worker';
  if (!CASE_SOURCES.includes(source)) throw new CityLoopError('VALIDATION_FAILED', { detail: `unknown source ${source}` });
  const priority = input.priority ?? categoryDefaultPriority;
  if (!PRIORITIES.includes(priority)) throw new CityLoopError('VALIDATION_FAILED', { detail: `unknown priority ${priority}` });
  return { title, source, priority };
}

/** The tier whose center owns a new case: the city for an unplaced report, else the one asked for or the default. */
export function owningTier(input: Pick<ReportCaseInput, 'unplaced' | 'tier'>, defaultTier: Tier): Tier {
  return input.unplaced ? 'city' : (input.tier ?? defaultTier);
}

export interface ReportContext {
  readonly number: string;
  readonly categoryCode: string;
  readonly place: Place;
  readonly center: { readonly id: string; readonly tier: Tier };
  /** Other districts the report concerns, with their centers (跨区域协同); empty for most. */
  readonly joint: { readonly districts: readonly { code: string; name: string }[]; readonly centerIds: readonly string[] };
}

/** The events of a new case: `CaseReported`, and `JointCaseOpened` when other districts share it. Pure. */
export function decideReport(p: Principal, input: ReportCaseInput, checked: CheckedReport, ctx: ReportContext): CaseEventBody[] {
  const self = reportsForSelf(p);
  const { place } = ctx;
  const bodies: CaseEventBody[] = [
    {
      type: 'CaseReported',
      payload: {
        number: ctx.number,
        source: checked.source,
        categoryCode: ctx.categoryCode,
        priority: checked.priority,
        title: checked.title.slice(0, 200),
        description: (input.description ?? '').slice(0, 5000),
        location: { lng: place.lng, lat: place.lat, address: (input.address ?? '').slice(0, 300) || place.chain.map((l) => l.name).join('') },
        chain: place.chain,
        centerId: ctx.center.id,
        tier: ctx.center.tier,
        reporter: {
          userId: self || checked.source === 'citizen' ? p.userId : hasRole(p, 'grid_worker') ? p.userId : null,
          name: input.reporter?.name?.trim() || (self ? p.displayName : null),
          phone: input.reporter?.phone?.trim() || null,
          anonymous: input.reporter?.anonymous ?? false,
        },
        externalRef: input.externalRef ?? null,
        ...(input.siteContact?.phone?.trim() ? { siteContact: { name: input.siteContact.name?.trim().slice(0, 50) || null, phone: input.siteContact.phone.trim().slice(0, 30) } } : {}),
      },
    },
  ];
  if (ctx.joint.districts.length > 0) {
    bodies.push({
      type: 'JointCaseOpened',
      payload: { centerIds: [...ctx.joint.centerIds], districts: [...ctx.joint.districts], reason: input.line ? '事项跨越区县边界' : `位于区县边界${JOINT_CASE_METERS}米内` },
    });
  }
  return bodies;
}
