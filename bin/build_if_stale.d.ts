// Types of build_if_stale.js (plain JavaScript, run by npm's `prepare` before anything is compiled).

export interface BuildTarget {
  readonly name: string;
  /** The npm script that builds it. */
  readonly script: string;
  /** Files or directories (recursively; `dir/*.ts`: that directory's own .ts files), relative to the root. */
  readonly sources: readonly string[];
  readonly outputs: readonly string[];
}

export const buildTargets: readonly BuildTarget[];

/** The targets whose outputs are missing or older than one of their sources, in build order. */
export function staleTargets(root: string, targets?: readonly BuildTarget[]): BuildTarget[];
