// Data formats: exporters and importers behind one interface (format.ts), one module per format,
// and the import dispatcher that reads any mix of them (docs/FORMAT.md).
export type { ExportFiles, ExportOptions, Exporter, Importer } from './format';
export { EXPORTERS, IMPORTERS, exporterFor } from './registry';
export { importBytes, importFiles, MAX_IMPORT_BYTES } from './import-files';
export type { ImportOptions } from './import-files';
export { FORMAT_TAG, FORMAT_VERSION, UPGRADERS, fromDocument, toDocument } from './wspy-json';
export type { Upgrader } from './wspy-json';
