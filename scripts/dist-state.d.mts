/** Types of scripts/dist-state.mjs (plain JavaScript: bin/granary.js imports it before any build). */
export const SOURCE_DIRS: string[];
export const SOURCE_FILES: string[];
export function distIsCurrent(root: string): boolean;
