// The data formats: one exporter and one importer per format, each in its own module. The report
// formats (html, svg) join these in viewer/outputs.ts, the one list of everything wspy writes.

import { UserError } from '../model';
import { collapsedExporter, collapsedImporter } from './collapsed';
import { cpuProfileExporter, cpuProfileImporter } from './cpuprofile';
import { Exporter, Importer } from './format';
import { pprofExporter, pprofImporter } from './pprof';
import { speedscopeExporter, speedscopeImporter } from './speedscope';
import { wspyJsonExporter, wspyJsonImporter } from './wspy-json';

export const EXPORTERS: Exporter[] = [wspyJsonExporter, speedscopeExporter, pprofExporter, collapsedExporter, cpuProfileExporter];

/** Most specific first: wspy's own tag, then JSON shapes, then protobuf, then free text. */
export const IMPORTERS: Importer[] = [wspyJsonImporter, speedscopeImporter, cpuProfileImporter, pprofImporter, collapsedImporter];

export function exporterFor(name: string): Exporter {
  const e = EXPORTERS.find((x) => x.name === name);
  if (!e) throw new UserError(`unknown export format "${name}": use one of ${EXPORTERS.map((x) => x.name).join(', ')}`);
  return e;
}
