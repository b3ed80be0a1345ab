import type { MatchLevel } from '../config/types.js';

/** Facets of an error, from either Rust form, or from a response's `error` field. */
export interface ErrorFacets {
  /** The marker line, e.g. `!!!SYNTAX ERROR!!!`, when there is one. */
  marker?: string;
  kind?: string;
  /**
   * Other names of the same kind, e.g. the display label `undefined value` of the Debug kind
   * `UndefinedError`, when a body carries both forms. Kinds match when any names match.
   */
  kindAliases?: string[];
  line?: number;
  message?: string;
  /** Where the facets were read from. */
  source: 'debug' | 'display' | 'response' | 'marker-only';
}

/** An error as the target reported it in its response, preferred over parsing the output. */
export interface ReportedError {
  kind?: string;
  message?: string;
  line?: number;
}

export type Facet = 'marker' | 'kind' | 'line' | 'message' | 'output';

/** How a passing case matched. */
export type MatchHow = 'exact' | 'normalized' | 'fuzzy' | 'override';

export type CaseVerdict =
  | {
      pass: true;
      how: MatchHow;
      /** The level used for a fuzzy match. */
      level?: MatchLevel;
      /** Message similarity when it was computed. */
      similarity?: number;
      expected?: ErrorFacets;
      actual?: ErrorFacets;
    }
  | {
      pass: false;
      /** Which facet differed first; `output` for ordinary output. */
      facet: Facet;
      level?: MatchLevel;
      reason: string;
      /** Unified diff with invisible characters made visible. */
      diff?: string;
      similarity?: number;
      expected?: ErrorFacets;
      actual?: ErrorFacets;
    };
