// Reads the report's embedded data: JSON in <script type="application/json" id="wspy-data">, read as
// text and parsed, never evaluated.

import type { ReportData } from '../embed';
import { REPORT_DATA_VERSION } from '../embed';

export const DATA_ELEMENT_ID = 'wspy-data';

export function readReportData(doc: Document): ReportData {
  const el = doc.getElementById(DATA_ELEMENT_ID);
  if (!el || !el.textContent) throw new Error('this report carries no profile data');
  const data = JSON.parse(el.textContent) as ReportData;
  if (data.version !== REPORT_DATA_VERSION) {
    throw new Error(`this report's data has version ${data.version}; this viewer reads version ${REPORT_DATA_VERSION}`);
  }
  return data;
}
