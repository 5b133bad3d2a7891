// The variants' names, apart from their processes (variants.ts) so that the pure summary
// and its tests need nothing that starts anything.
export const VARIANTS = ['bare', 'manager', 'agent', 'bare+xdp'] as const;
export type VariantName = (typeof VARIANTS)[number];
/** What the others are compared with: HAProxy on a hand-written configuration. */
export const REFERENCE: VariantName = 'bare';
