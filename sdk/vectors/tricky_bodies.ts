// Bodies written to reach every path of the miner and its masking, so a port that differs anywhere fails the
// vectors: events told apart by one word (Accepted / Failed, lifecycle verbs, HTTP methods), positions that
// become variables after a few words, bodies three words apart out of ten (similarity 0.7 merges them, 0.75
// would not), a word that joins a variable across widths, bracketed and quoted variables, emptied fields,
// key=value with event keys, quoted phrases, lists, sizes with conversions, hosts, versions, literals, days and
// months, hex, UUIDs, emails, URLs, paths, JSON bodies, tabs, non-breaking spaces and non-ASCII words. All
// generated here from a seed: no third-party log line is copied.
const USERS = ['root', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november'];
const VERBS = ['Started', 'Stopped', 'Reloading', 'Paused', 'Resuming'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Pick = <T>(items: readonly T[]) => T;

const TEMPLATES: Array<(pick: Pick, n: () => number, hex: (len: number) => string) => string> = [
  (pick, n) => `${pick(['Accepted', 'Failed'])} password for ${pick(USERS)} from 10.${n() % 255}.${n() % 255}.${n() % 255} port ${n()} ssh2`,
  (pick, n) => `session opened for user ${pick(USERS)} by (uid=${n() % 2000})`,
  (pick) => `${pick(VERBS)} ${pick(['nginx', 'postgres', 'cron', 'sshd'])}.service - ${pick(['Web server', 'Database', 'Scheduler', 'OpenSSH'])}`,
  (pick, n) => `"${pick(METHODS)} /api/v1/users/${n()}?page=${n() % 9} HTTP/1.1" ${pick([200, 201, 404, 500])} ${n()}`,
  (pick, n) => `job ${pick(WORDS)} stage ${pick(WORDS)} task ${pick(WORDS)} finished on node ${pick(['east', 'west'])} in ${n()}ms ok`,
  (pick, n) => `msg="${pick(['user logged in', 'payment declined', 'cart emptied'])}" level=${pick(['info', 'warn'])} user=${pick(USERS)} took=${n()}`,
  (pick, n) => `upload of ${n()} bytes (${(n() / 100).toFixed(1)} KB) finished for ${pick(USERS)}`,
  (pick) => `items [${pick(WORDS)}, ${pick(WORDS)}, ${pick(WORDS)}] processed by ${pick(['worker', 'batcher'])}`,
  (pick, n) => `connecting to db-${n() % 9}.prod.example.com:${pick([5432, 6432])} as ${pick(USERS)}`,
  (pick, n) => `package libfoo version ${n() % 4}.${n() % 20}.${n() % 9}-${pick(['rc1', '1ubuntu2', 'beta'])} installed`,
  (pick) => `flag setLightsOn(${pick(['true', 'false'])}) applied, opt-in: ${pick(['True', 'False', 'null'])}`,
  (pick, n) => `${pick(DAYS)} ${pick(MONTHS)} ${(n() % 28) + 1} 0${n() % 10}:${10 + (n() % 50)}:${10 + (n() % 50)} 2025 kernel: eth${n() % 2} link up`,
  (pick, n, hex) => `object 0x${hex(8)} freed, digest ${hex(32)} request ${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
  (pick, n) => `mail from ${pick(USERS)}@example.org to https://hooks.example.com/a/${n()} via /var/spool/mail/${pick(USERS)} and C:\\temp\\q${n()}`,
  (pick, n) => `authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${pick(['', `10.0.0.${n() % 255}`, `host${n() % 9}.example.net`])}`,
  (pick, n) => `lifetime ${pick(['<1 sec', `00:0${n() % 9}:${10 + (n() % 50)}`, `${n() % 60} sec`])} for session ${n()}`,
  (pick, n) => JSON.stringify({ msg: pick(['order created', 'order shipped']), order: n(), user: pick(USERS), ...(n() % 2 ? { coupon: pick(WORDS) } : {}) }),
  (pick, n) => `worker\t${pick(WORDS)}\tprocessed\t${n()}\titems\tin\t${n() % 100}ms`,
  (pick, n) => `utilisateur ${pick(USERS)} connecté depuis ${pick(['Zürich', 'Genève', '東京'])} en ${n()} ms`,
  (pick, n) => `queue\u00a0depth ${n()} on ${pick(['orders', 'emails'])} — threshold ${pick([100, 500])}`,
  (pick, n) => `Registry key 'HKLM\\SOFTWARE\\${pick(['Vendor', 'Policies', 'Classes'])}' value ${pick(["'SOFTWARE'", "'SYSTEM'", "'SAM'", "'SECURITY'"])} set to ${n()}`,
  (pick, n) => `${pick(['Stopping', 'Starting'])} container ${pick(WORDS)}-${n() % 5} (image ${pick(['api', 'web'])}:${n() % 3}.${n() % 9})`,
  (pick, n) => `event=${pick(['order_created', 'order_paid'])} status=${pick(['OK', 'FAILED'])} amount=${n() / 100} currency=EUR`,
];

/** `count` bodies from a seed: each template's variables drawn afresh. */
export function trickyBodies(count: number, seed: number): Array<{ service: string; body: string }> {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick: Pick = (items) => items[Math.floor(random() * items.length)]!;
  const n = () => Math.floor(random() * 100_000);
  const hex = (len: number) => Array.from({ length: len }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  return Array.from({ length: count }, () => {
    const template = Math.floor(random() * TEMPLATES.length);
    return { service: template % 2 === 0 ? 'edge-a' : 'edge-b', body: TEMPLATES[template]!(pick, n, hex) };
  });
}
