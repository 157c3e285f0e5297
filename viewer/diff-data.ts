// The data the diff page embeds, shared by viewer/diff-html.ts (server) and viewer/browser/diff.ts.

import type { Normalize } from '../collector/analysis';

export const DIFF_DATA_ELEMENT_ID = 'wspy-diff';
export const DIFF_DATA_VERSION = 1;

/** A DiffNode without what the browser does not need (frame indices, process keys). */
export interface DiffPageNode {
  name: string;
  value: number;
  before: number;
  after: number;
  delta: number;
  children: DiffPageNode[];
}

export interface DiffPageData {
  version: number;
  normalize: Normalize;
  /** `per process of each command`, ...: the unit of the figures, in words. */
  unit: string;
  beforeName: string;
  afterName: string;
  tree: DiffPageNode;
}

