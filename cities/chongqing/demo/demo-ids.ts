/**
 * The demo city's center and unit ids, made from a jurisdiction code. A leaf module: the demo
 * assets and devices need the ids, and demo-city (which seeds them) imports those modules, so the
 * ids living in demo-city made an import cycle whose outcome depended on which module loaded first.
 */
export const centerIdOf = (jurisdictionCode: string): string => `center-${jurisdictionCode}`;
export const unitIdOf = (jurisdictionCode: string, kind: string): string => `unit-${jurisdictionCode}-${kind}`;
