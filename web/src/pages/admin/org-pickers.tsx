import { useEffect, useMemo, useState } from 'react';
import { api, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import type { Role, Tier } from '../../types.ts';

/**
 * What the people and units editors share: the centers (loaded once), a center and a unit chosen
 * by typing part of the name, and the names of roles, tiers and unit kinds (never their codes).
 */

export interface CenterInfo {
  readonly id: string;
  readonly name: string;
  readonly tier: string;
  readonly jurisdictionCode: string;
  readonly parentCenterId: string | null;
}

export interface UnitInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly tier: string;
  readonly jurisdictionCode: string;
  readonly disabled: boolean;
}

export interface UnitKindInfo {
  readonly tier: string;
  readonly kind: string;
  readonly nameZh: string;
  readonly nameEn: string;
}

/** The roles an administrator hands out (a system account is made otherwise). */
export const ASSIGNABLE_ROLES: readonly Role[] = ['admin', 'supervisor', 'operator', 'unit_staff', 'grid_worker', 'citizen'];

export function useOrgNames() {
  const { tr } = useI18n();
  const roleName = (r: string): string =>
    ({
      admin: tr('管理员', 'administrator'),
      supervisor: tr('督办员', 'supervisor'),
      operator: tr('值班员', 'operator'),
      unit_staff: tr('部门人员', 'unit staff'),
      grid_worker: tr('网格员', 'grid worker'),
      citizen: tr('市民', 'citizen'),
      system: tr('系统', 'system'),
    })[r] ?? tr('其他角色', 'other role');
  const tierName = (t: string): string => ({ city: tr('市级', 'city'), district: tr('区县级', 'district'), street: tr('镇街级', 'street') })[t as Tier] ?? tr('其他层级', 'other tier');
  return { roleName, tierName };
}

/** Every center, by id (the list is read once per editor). */
export function useCenters(): { centers: readonly CenterInfo[]; byId: ReadonlyMap<string, CenterInfo>; byJurisdiction: ReadonlyMap<string, CenterInfo> } {
  const [centers, setCenters] = useState<readonly CenterInfo[]>([]);
  useEffect(() => {
    api<{ items: CenterInfo[] }>('/api/v1/centers').then((r) => setCenters(r.items), () => setCenters([]));
  }, []);
  return useMemo(() => ({ centers, byId: new Map(centers.map((c) => [c.id, c])), byJurisdiction: new Map(centers.map((c) => [c.jurisdictionCode, c])) }), [centers]);
}

/** A center chosen by typing part of its name; `null`: none. */
export function CenterPicker(props: { readonly label: string; readonly value: string | null; readonly centers: readonly CenterInfo[]; readonly allowNone?: boolean; onChange(id: string | null): void; readonly testId?: string }) {
  const { tr } = useI18n();
  const [filter, setFilter] = useState('');
  const current = props.centers.find((c) => c.id === props.value);
  const shown = props.centers.filter((c) => c.id === props.value || (filter.trim() !== '' && c.name.includes(filter.trim()))).slice(0, 100);
  return (
    <fieldset className="picker" data-testid={props.testId}>
      <legend>{props.label}</legend>
      <label className="inline">
        {tr('按名称查找', 'Find by name')}
        <input value={filter} onChange={(e) => setFilter(e.target.value)} aria-label={`${props.label} ${tr('查找', 'search')}`} style={{ marginLeft: '0.4rem', width: '10rem' }} />
      </label>
      <select aria-label={props.label} value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value || null)}>
        {(props.allowNone ?? true) && <option value="">{tr('（无）', '(none)')}</option>}
        {!current && props.value && <option value={props.value}>{tr('（未知中心）', '(unknown center)')}</option>}
        {shown.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </fieldset>
  );
}

/** A unit chosen by typing part of its name (the server searches); `null`: none. */
export function UnitPicker(props: { readonly label: string; readonly value: string | null; onChange(id: string | null): void; readonly testId?: string }) {
  const { tr } = useI18n();
  const [filter, setFilter] = useState('');
  const [found, setFound] = useState<readonly UnitInfo[]>([]);
  const [current, setCurrent] = useState<UnitInfo | null>(null);
  useEffect(() => {
    if (!props.value) return setCurrent(null);
    if (current?.id === props.value) return;
    api<{ items: UnitInfo[] }>(`/api/v1/units${qs({ q: props.value })}`).then((r) => setCurrent(r.items.find((u) => u.id === props.value) ?? null), () => setCurrent(null));
  }, [props.value, current]);
  useEffect(() => {
    const text = filter.trim();
    if (!text) return setFound([]);
    const timer = setTimeout(() => {
      api<{ items: UnitInfo[] }>(`/api/v1/units${qs({ q: text })}`).then((r) => setFound(r.items.slice(0, 100)), () => setFound([]));
    }, 300);
    return () => clearTimeout(timer);
  }, [filter]);
  const options = [...(current ? [current] : []), ...found.filter((u) => u.id !== current?.id)];
  return (
    <fieldset className="picker" data-testid={props.testId}>
      <legend>{props.label}</legend>
      <label className="inline">
        {tr('按名称查找', 'Find by name')}
        <input value={filter} onChange={(e) => setFilter(e.target.value)} aria-label={`${props.label} ${tr('查找', 'search')}`} style={{ marginLeft: '0.4rem', width: '10rem' }} />
      </label>
      <select aria-label={props.label} value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value || null)}>
        <option value="">{tr('（无）', '(none)')}</option>
        {props.value && !current && <option value={props.value}>{tr('（加载中）', '(loading)')}</option>}
        {options.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
            {u.disabled ? tr('（已停用）', ' (disabled)') : ''}
          </option>
        ))}
      </select>
    </fieldset>
  );
}
