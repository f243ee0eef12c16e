/**
 * The tiers of the organisation (市 city, 区县 district, 镇街 street): centers and units sit at one of
 * them and cases are owned at one. Here, at the bottom of the org layer, because units and unit
 * kinds (org) need the word as much as cases do, and org must not import cases.
 */
export const TIERS = ['city', 'district', 'street'] as const;
export type Tier = (typeof TIERS)[number];
