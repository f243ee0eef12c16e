/**
 * The tiers of the city's centers (市 → 区县 → 街道). A leaf module: principals, the org directory
 * and cases all name a tier, so it sits below all of them.
 */
export const TIERS = ['city', 'district', 'street'] as const;
export type Tier = (typeof TIERS)[number];
