// The files `wspy report` and `wspy diff` read: saved recordings and foreign profiles loaded as one
// Recording, with frames moved through the source maps found on disk (README: TypeScript and source
// maps), and every file or map that could not be used named on stderr.

import { applySourceMaps } from '../collector/ingest';
import { importFiles } from '../collector/formats';
import { Recording } from '../collector/model';
import * as log from './log';

export function loadInputs(paths: string[]): Recording {
  const { recording, problems } = importFiles(paths);
  for (const problem of problems) log.warn(problem);
  const mapped = applySourceMaps(recording);
  for (const problem of mapped.problems) log.warn(problem);
  return mapped.recording;
}
