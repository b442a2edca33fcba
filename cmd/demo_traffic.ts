// The demo's traffic: three services with Zipf-distributed templates, a daily-looking wobble, and every
// `incidentEveryMs` an incident lasting `incidentMs`, in turn — a ×8 spike of one template, then a new error
// pattern. (Incidents every few minutes are already many: one every 45 s taught the detector that the spike
// was the template's normal, as it would a cron job's.)
const SERVICES: Record<string, string[]> = {
  checkout: [
    'GET /api/cart/<n> 200 in <n>ms',
    'POST /api/orders 201 in <n>ms',
    'SELECT * FROM orders WHERE customer_id = <n> took <n>ms',
    'cache miss for key product:<n>:price',
    'payment <n> authorised for order <n>',
    'inventory reserved for order <n>: <n> items',
  ],
  auth: ['user <n> authenticated via oauth provider=google', 'token refreshed for session <n>', 'password check for user <n> took <n>ms', 'session <n> expired'],
  search: ['query "<w>" returned <n> hits in <n>ms', 'index shard <n> refreshed in <n>ms', 'suggestion cache warmed with <n> entries'],
};
const WORDS = ['shoes', 'red dress', 'laptop', 'coffee', 'headphones', 'desk lamp'];

export interface DemoRecord {
  service: string;
  body: string;
  severity: number;
}

function fill(template: string, random: () => number): string {
  return template.replace(/<n>/g, () => String(Math.floor(random() * 10_000))).replace(/<w>/g, () => WORDS[Math.floor(random() * WORDS.length)]!);
}

export class DemoTraffic {
  readonly #random: () => number;

  constructor(
    private readonly incidentEveryMs: number,
    private readonly incidentMs: number,
    seed = 1,
  ) {
    let s = seed;
    this.#random = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) + 1) / 2147483649;
  }

  /** The records of one tick, `elapsed` ms after the demo started (incidents follow the clock, not ticks). */
  next(elapsed: number): { records: DemoRecord[]; incident: string | undefined } {
    const phase = Math.floor(elapsed / this.incidentEveryMs);
    const inIncident = phase > 0 && elapsed % this.incidentEveryMs < this.incidentMs;
    const incident = inIncident ? (phase % 2 === 1 ? 'spike: cache misses ×8' : 'new error: payment gateway timeouts') : undefined;
    const records: DemoRecord[] = [];
    const wobble = 0.7 + 0.3 * Math.sin(elapsed / 20_000);
    for (const [service, templates] of Object.entries(SERVICES)) {
      templates.forEach((template, r) => {
        let n = Math.round((60 * wobble) / (r + 1) ** 1.2);
        if (incident?.startsWith('spike') && template.startsWith('cache miss')) n *= 8;
        for (let i = 0; i < n; i++) records.push({ service, body: fill(template, this.#random), severity: r === templates.length - 1 ? 13 : 9 });
      });
    }
    if (incident?.startsWith('new error')) {
      for (let i = 0; i < 8; i++) records.push({ service: 'checkout', body: fill('payment gateway timeout after <n>ms for order <n>', this.#random), severity: 17 });
    }
    return { records, incident };
  }
}
