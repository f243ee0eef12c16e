/**
 * The tiers of the organisation (市 city, 区县 district, 镇街 street): centers and units sit at one of
 * them and cases are owned at one. Here, at the bottom of the org layer, because units and unit
 * kinds (org) need the word as much as cases do, and org must not import cases.
 */
export const TIERS = ['city', 'district', 'street'] as const;
export type Tier = (typeof TIERS)[number];

/** The tiers' names, as a page or a message shows them. */
export const TIER_NAMES: Record<Tier, { zh: string; en: string }> = {
  city: { zh: '市级', en: 'city' },
  district: { zh: '区县级', en: 'district' },
  street: { zh: '镇街级', en: 'street' },
};
