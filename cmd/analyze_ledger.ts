// `logsift analyze --ledger`: the report from a daemon's own ledger (its data_dir's store), over windows in
// a range — what it saw, kept and saved, as it happened, under whatever policies were live then. Nothing is
// replayed (the ledger holds counts, not records), so there are no what-ifs; ERRORs are the ledger's counts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { analyseService, type ServiceAnalysis } from '../cost/analysis.js';
import type { InsightsOptions } from '../cost/insights.js';
import { Store } from '../store/store.js';

export interface LedgerAnalyses {
  file: string;
  analyses: ServiceAnalysis[];
}

/** Per service over windows starting in [fromMs, toMs); a string says why there is nothing to read. */
export function ledgerAnalyses(dataDir: string, windowMs: number, costs: InsightsOptions, fromMs: number, toMs: number): LedgerAnalyses | string {
  const file = path.join(dataDir, 'logsift.db');
  if (!existsSync(file)) return `no ledger at ${file}: point --config at the daemon's configuration (its service.data_dir), or set LOGSIFT_DATA_DIR`;
  const store = new Store(file, 'normal');
  try {
    const services = [...new Set(store.ledger(undefined, fromMs, toMs).map((r) => r.service))].sort();
    return { file, analyses: services.map((service) => analyseService(store, service, windowMs, undefined, costs, { from: fromMs, to: toMs })) };
  } finally {
    store.close();
  }
}
