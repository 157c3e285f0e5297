// The model: the Recording and everything computed from it alone (names, call trees, the process
// forest, dense sums, merging). Pure: nothing here does I/O, so every other room can use it in tests.
export * from './recording';
export * from './names';
export * from './call-tree';
export * from './process-forest';
export * from './sums';
export * from './keys';
export * from './merge';
export * from './errors';
export * from './relocate';
export * from './lost';
