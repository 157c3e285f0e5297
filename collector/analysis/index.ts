// The cross-process analysis (docs/ANALYSIS.md): families of processes, the work their members
// repeat, what it costs and what running it once would save; the findings ranked and worded once
// for every output; and the diff of two recordings. Pure. Outputs use this surface only.
export { analyze } from './analyze';
export * from './types';
export { findFamilies, normaliseArg, parseCommand } from './families';
export type { Family } from './families';
export { estimateOnce } from './estimate';
export { callerOf } from './caller';
export { frameInclusiveMs } from './repeated';
export { quantile } from './stats';
export { diffRecordings } from './diff';
export { startupCpuMs } from './phases';
export type { DiffNode, DiffOptions, DiffResult, FunctionChange, Normalize } from './diff';
export { findingSentence, MAX_FINDINGS, membersNoun, reportAnalysis, summaryLines } from './findings';
export type { Finding, ReportAnalysis, ReportFamily } from './findings';
export { ms, percent, times } from './words';
