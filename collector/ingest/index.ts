// Ingest: what agents send becomes a Recording. The ws server on a private Unix socket, the spool
// reader, and the assembler that checks every message before it touches the model.
export { DEFAULT_CHUNK_MS, startCollector } from './server';
export type { Collector, CollectorOptions, SpoolSpace } from './server';
export { RecordingAssembler } from './assembler';
export { SpoolReader } from './spool-reader';
export type { AssemblerStats } from './assembler';
export { AGENT_BUNDLE, DORMANT_BUNDLE, LISTENER_BUNDLE, STREAM_BUNDLE, pprofBindingsDir, wspyVersion } from './install';
export { applySourceMaps, placeFramesThroughMaps } from './source-maps';
export type { PlacedFrame, SourceMapResult } from './source-maps';
