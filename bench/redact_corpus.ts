// A labelled corpus for the redact processor: realistic log bodies and JSON attributes with personal data and
// secrets of every kind the processor names planted in them (each value generated valid — cards pass Luhn
// with a real scheme's prefix, IBANs MOD-97, SSNs the SSA's rules), and look-alikes that must stay: order
// numbers failing Luhn, version strings, timestamps, UUIDs, epoch times, durations, hex ids, ports. Seeded.
import { random } from './draws.js';

export interface CorpusRecord {
  body: string;
  attributes: Record<string, string>;
  /** Values that must not survive (each planted once, in the body or an attribute). */
  planted: Array<{ kind: string; value: string }>;
  /** Values that must survive. */
  lookalikes: string[];
}

export function redactCorpus(n: number, seed = 17): CorpusRecord[] {
  const u = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(u() * xs.length)]!;
  const digits = (k: number) => Array.from({ length: k }, () => int(0, 9)).join('');
  const alnum = (k: number, set = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') => Array.from({ length: k }, () => set[int(0, set.length - 1)]).join('');
  const b64url = (s: string) => Buffer.from(s).toString('base64url');

  const luhnComplete = (partial: string) => {
    for (let d = 0; d <= 9; d++) if (luhn(partial + d)) return partial + d;
    throw new Error('unreachable');
  };
  const card = () => {
    const [prefix, length] = pick([['4', 16], ['4', 13], ['51', 16], ['55', 16], ['2221', 16], ['34', 15], ['37', 15], ['6011', 16], ['65', 16], ['3530', 16], ['36', 14], ['62', 16]] as const);
    const number = luhnComplete(prefix + digits(length - prefix.length - 1));
    const style = int(0, 2);
    if (style === 0 || length === 13 || length === 14) return number;
    if (length === 15) return `${number.slice(0, 4)} ${number.slice(4, 10)} ${number.slice(10)}`;
    const sep = style === 1 ? ' ' : '-';
    return number.match(/.{4}/g)!.join(sep);
  };
  const iban = () => {
    const [country, bban] = pick([['DE', () => digits(18)], ['GB', () => `${alnum(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(14)}`], ['FR', () => digits(23)], ['NL', () => `${alnum(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(10)}`], ['ES', () => digits(20)]] as const);
    const body = bban();
    const check = 98 - mod97(`${body}${country}00`);
    const value = `${country}${String(check).padStart(2, '0')}${body}`;
    return u() < 0.5 ? value : value.match(/.{1,4}/g)!.join(' ');
  };
  const ssn = () => {
    const sep = u() < 0.8 ? '-' : ' ';
    return `${String(int(1, 665)).padStart(3, '0')}${sep}${String(int(1, 99)).padStart(2, '0')}${sep}${String(int(1, 9999)).padStart(4, '0')}`;
  };
  const phone = () => pick([() => `+1 ${int(200, 999)}-${int(200, 999)}-${digits(4)}`, () => `(${int(200, 999)}) ${int(200, 999)}-${digits(4)}`, () => `+44 20 ${digits(4)} ${digits(4)}`, () => `+49 30 ${digits(8)}`, () => `${int(200, 999)}.${int(200, 999)}.${digits(4)}`, () => `${int(200, 999)} ${int(200, 999)} ${digits(4)}`, () => `1-${int(200, 999)}-${int(200, 999)}-${digits(4)}`, () => `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`])();
  const email = () => `${pick(['maria', 'j.smith', 'li.wei', 'ops+alerts', 'k_tanaka', 'anna-lena'])}${int(1, 999)}@${pick(['example.com', 'mail.example.org', 'corp.io', 'shop.co.uk'])}`;
  const ipv4 = () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
  const ipv6 = () => pick([() => `::ffff:${ipv4()}`, () => `2001:db8:${int(0, 65535).toString(16)}::${int(1, 65535).toString(16)}`, () => `fe80::${int(0, 65535).toString(16)}:${int(0, 65535).toString(16)}:${int(0, 65535).toString(16)}:${int(1, 65535).toString(16)}`, () => Array.from({ length: 8 }, () => int(0, 65535).toString(16)).join(':')])();
  const mac = () => Array.from({ length: 6 }, () => int(0, 255).toString(16).padStart(2, '0')).join(pick([':', '-']));
  const jwt = () => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${int(1, 99999)}","exp":${int(1e9, 2e9)}}`)}.${alnum(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`;
  const secrets: Record<string, () => string> = {
    aws_key: () => `AKIA${alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    gcp_key: () => `AIza${alnum(35, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`,
    stripe_key: () => `${pick(['sk', 'rk'])}_${pick(['live', 'test'])}_${alnum(24)}`,
    github_token: () => `ghp_${alnum(36)}`,
    slack_token: () => `xoxb-${digits(12)}-${digits(12)}-${alnum(24)}`,
  };

  // Look-alikes: must stay as they are.
  const orderNumber = () => {
    const v = `4${digits(15)}`;
    return luhn(v) ? `${v.slice(0, 15)}${(Number(v[15]) + 1) % 10}` : v;
  };
  const lookalikeMakers = [
    orderNumber,
    () => `v${int(1, 9)}.${int(0, 20)}.${int(0, 30)}.${int(0, 99)}`,
    () => `2026-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}T${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}.${digits(3)}Z`,
    () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    () => String(int(1_700_000_000_000, 1_800_000_000_000)),
    () => `${int(1, 5000)}ms`,
    () => hex(40),
    () => `port ${int(1024, 65535)}`,
    () => `pid ${int(100, 99999)}`,
    () => `${int(0, 23)}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}`,
    () => `INV-${digits(10)}`,
    () => `ISBN 978-${int(0, 9)}-${digits(2)}-${digits(6)}-${int(0, 9)}`,
    () => `${String(int(1, 28)).padStart(2, '0')}/${String(int(1, 12)).padStart(2, '0')}/2026`,
    () => `${int(1, 9)}.${int(0, 30)}.${int(0, 99)}`,
    () => `${int(1, 99)},${digits(3)}.${digits(2)}`,
    () => `checkout-${hex(10)}-${alnum(5, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
    () => `sha256:${hex(64)}`,
    () => `#${digits(5)}`,
    () => `${int(-89, 89)}.${digits(4)},${int(-179, 179)}.${digits(4)}`,
    () => `Safari/${int(500, 640)}.${int(1, 99)}`,
    () => `trace ${hex(32)} span ${hex(16)}`,
  ];
  function hex(k: number): string {
    return alnum(k, '0123456789abcdef');
  }

  const templates: Array<() => CorpusRecord> = [
    () => {
      const [e, ip, look] = [email(), ipv4(), pick(lookalikeMakers)()];
      return { body: `user ${e} signed in from ${ip} at ${look}`, attributes: {}, planted: [{ kind: 'email', value: e }, { kind: 'ipv4', value: ip }], lookalikes: [look] };
    },
    () => {
      const [c, order] = [card(), orderNumber()];
      return { body: `payment for order ${order} declined: card ${c} expired`, attributes: { 'order.id': order }, planted: [{ kind: 'card', value: c }], lookalikes: [order] };
    },
    () => {
      const [i, look] = [iban(), pick(lookalikeMakers)()];
      return { body: `refund ${int(1, 900)}.${digits(2)} EUR to ${i} queued (${look})`, attributes: {}, planted: [{ kind: 'iban', value: i }], lookalikes: [look] };
    },
    () => {
      const [s, p] = [ssn(), phone()];
      const look = pick(lookalikeMakers)();
      return { body: JSON.stringify({ event: 'kyc.check', applicant: { ssn: s, phone: p }, ref: look, attempt: int(1, 3) }), attributes: {}, planted: [{ kind: 'ssn', value: s }, { kind: 'phone', value: p }], lookalikes: [look] };
    },
    () => {
      const [v6, m, look] = [ipv6(), mac(), pick(lookalikeMakers)()];
      return { body: `dhcp lease for ${m} renewed, address ${v6}, build ${look}`, attributes: {}, planted: [{ kind: 'mac', value: m }, { kind: 'ipv6', value: v6 }], lookalikes: [look] };
    },
    () => {
      const [t, look] = [jwt(), pick(lookalikeMakers)()];
      return { body: `request ${look} rejected: expired token`, attributes: { 'http.request.header.x-session': t, 'http.route': '/api/orders/{id}' }, planted: [{ kind: 'jwt', value: t }], lookalikes: [look, '/api/orders/{id}'] };
    },
    () => {
      const [kind, make] = pick(Object.entries(secrets));
      const [k, look] = [make(), pick(lookalikeMakers)()];
      return { body: `loaded config from env in ${look}: using ${k}`, attributes: {}, planted: [{ kind, value: k }], lookalikes: [look] };
    },
    () => {
      const [pw, look] = [alnum(int(8, 16)), pick(lookalikeMakers)()];
      if (u() < 0.3) return { body: `cache connect redis://:${pw}@cache.internal:6379/0 took ${look}`, attributes: {}, planted: [{ kind: 'url_password', value: pw }], lookalikes: [look, 'cache.internal:6379/0'] };
      return { body: `db connect postgres://app:${pw}@db.internal:5432/orders took ${look}`, attributes: {}, planted: [{ kind: 'url_password', value: pw }], lookalikes: [look, 'db.internal:5432/orders'] };
    },
    () => {
      const [pw, e] = [alnum(int(8, 16)), email()];
      return { body: `login attempt user=${e} password=${pw} failed`, attributes: {}, planted: [{ kind: 'password', value: pw }, { kind: 'email', value: e }], lookalikes: [] };
    },
    () => {
      const [tok, look] = [alnum(32), pick(lookalikeMakers)()];
      return { body: `GET /api/cart 200 ${look}`, attributes: { authorization: `Bearer ${tok}`, 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0' }, planted: [{ kind: 'bearer', value: tok }], lookalikes: [look, 'Chrome/131.0.0.0'] };
    },
    () => {
      // A card number as a JSON number, an upper-case email, an address with its port in brackets.
      const c = luhnComplete(`4${digits(14)}`);
      const e = email().toUpperCase();
      const ip = ipv4();
      return { body: JSON.stringify({ event: 'checkout', card_number: Number(c), contact: e, client: `[${ip}]:${int(1024, 65535)}`, total: int(1, 999) }), attributes: {}, planted: [{ kind: 'card', value: c }, { kind: 'email', value: e }, { kind: 'ipv4', value: ip }], lookalikes: [] };
    },
    () => {
      // Secrets the way config dumps print them, and an E.164 number without separators.
      const [key, pw, p] = [alnum(24), alnum(12), `+${int(1, 49)}${digits(10)}`];
      return { body: `settings: api_key: "${key}", db.password: ${pw}, support ${p}`, attributes: {}, planted: [{ kind: 'password', value: key }, { kind: 'password', value: pw }, { kind: 'phone', value: p }], lookalikes: [] };
    },
    () => {
      // An access log's query string, the email URL-encoded.
      const [e, look] = [email(), pick(lookalikeMakers)()];
      const encoded = e.replace('@', '%40').replace('+', '%2B');
      return { body: `GET /api/users?email=${encoded}&page=2 200 ${look}`, attributes: {}, planted: [{ kind: 'email', value: encoded }], lookalikes: [look, '&page=2'] };
    },
    () => {
      // Basic credentials in a header a proxy logged.
      const credentials = Buffer.from(`${pick(['admin', 'svc-backup', 'ann'])}:${alnum(int(8, 16))}`).toString('base64');
      const look = pick(lookalikeMakers)();
      return { body: `upstream 401 for GET /internal/metrics with Authorization: Basic ${credentials} (${look})`, attributes: {}, planted: [{ kind: 'password', value: credentials }], lookalikes: [look, '/internal/metrics'] };
    },
    () => {
      // A secret under a name that ends in a secret's name, as environment variables and config keys write it.
      const [name, value] = [pick(['DB_PASSWORD', 'aws_secret_access_key', 'refresh_token', 'SMTP_PASS', 'stripe.api_key', 'GITHUB_TOKEN']), alnum(int(12, 32))];
      return { body: `env ${name}=${value} loaded from /etc/app/env`, attributes: {}, planted: [{ kind: 'password', value }], lookalikes: ['/etc/app/env'] };
    },
    () => {
      // camelCase names, as Java and JavaScript services print their settings.
      const [pw, secret, look] = [alnum(int(10, 20)), alnum(int(16, 32)), pick(lookalikeMakers)()];
      return { body: `DataSourceConfig{userName=ann, dbPassword=${pw}, poolSize=${int(2, 64)}} oauth clientSecret: ${secret} maxTokens=${int(256, 8192)} (${look})`, attributes: {}, planted: [{ kind: 'password', value: pw }, { kind: 'password', value: secret }], lookalikes: [look, 'userName=ann', 'maxTokens='] };
    },
    () => {
      // A quoted passphrase, spaces and all (its last word is planted too: only the first must not go).
      const words = Array.from({ length: int(2, 4) }, () => alnum(int(5, 9), 'abcdefghijklmnopqrstuvwxyz'));
      const look = pick(lookalikeMakers)();
      return { body: `vault unseal with password="${words.join(' ')}" by operator ${look}`, attributes: {}, planted: [{ kind: 'password', value: words.join(' ') }, { kind: 'password', value: ` ${words[words.length - 1]}"` }], lookalikes: [look, 'by operator'] };
    },
    () => {
      // A SOAP request logged whole.
      const [pw, look] = [alnum(int(8, 16)), pick(lookalikeMakers)()];
      return { body: `outbound soap <soap:Body><Login><username>ann</username><password>${pw}</password><requestId>${look}</requestId></Login></soap:Body>`, attributes: {}, planted: [{ kind: 'password', value: pw }], lookalikes: [look, '<username>ann</username>'] };
    },
    () => {
      // A Cisco switch's MAC flap, its MAC dotted (one with a hex letter: one with none reads as a build number
      // and is left, by design).
      let m = '';
      while (!/[a-f]/.test(m)) m = Array.from({ length: 3 }, () => int(0, 65535).toString(16).padStart(4, '0')).join('.');
      const [a, b] = [int(1, 24), int(25, 48)];
      return { body: `%SW_MATM-4-MACFLAP_NOTIF: Host ${m} in vlan ${int(1, 4094)} is flapping between port Gi1/0/${a} and port Gi1/0/${b}`, attributes: {}, planted: [{ kind: 'mac', value: m }], lookalikes: [`Gi1/0/${a}`, `Gi1/0/${b}`] };
    },
    () => {
      // A private key in PEM (its base64 planted line by line), or a certificate, which is public and stays.
      const lines = Array.from({ length: int(2, 5) }, () => Buffer.from(alnum(48)).toString('base64'));
      const label = pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
      const cert = Buffer.from(alnum(45)).toString('base64');
      const newline = pick(['\n', '\\n']);
      return { body: `tls: loaded -----BEGIN ${label}-----${newline}${lines.join(newline)}${newline}-----END ${label}----- and -----BEGIN CERTIFICATE-----${newline}${cert}${newline}-----END CERTIFICATE-----`, attributes: {}, planted: lines.map((value) => ({ kind: 'private_key', value })), lookalikes: [cert, '-----BEGIN CERTIFICATE-----'] };
    },
    () => {
      // A bare number its name says is a phone number or an SSN: in text, in a JSON body (as a string or a
      // number), beside an order number under a name that says nothing.
      const [p, s, order] = [`${int(2, 9)}${digits(9)}`, ssn().replace(/\D/g, ''), `${int(1, 9)}${digits(9)}`];
      return pick([
        () => ({ body: `sms queued for msisdn=1${p} (order_no=${order})`, attributes: {}, planted: [{ kind: 'phone', value: p }], lookalikes: [order] }),
        () => ({ body: JSON.stringify({ event: 'signup', customer: { name: 'ann', phone: Number(p), ssn: s }, order_no: Number(order) }), attributes: {}, planted: [{ kind: 'phone', value: p }, { kind: 'ssn', value: s }], lookalikes: [order] }),
        () => ({ body: `kyc check ssn: ${s} passed for order ${order}`, attributes: { 'customer.mobile': p }, planted: [{ kind: 'ssn', value: s }, { kind: 'phone', value: p }], lookalikes: [order] }),
      ])();
    },
    () => {
      // Credentials a proxy or an HTTP client logged: other authorization schemes, cookies, OAuth secrets,
      // a Slack webhook.
      const look = pick(lookalikeMakers)();
      const [tok, sid, secret, hook] = [alnum(int(20, 40)), alnum(int(16, 32)), `GOCSPX-${alnum(28)}`, `hooks.slack.com/services/T${alnum(9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/B${alnum(9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/${alnum(24)}`];
      return pick([
        () => ({ body: `proxy GET /v2/items Authorization: ${pick(['Token', 'ApiKey', 'SSWS'])} ${tok} -> 200 (${look})`, attributes: {}, planted: [{ kind: 'password', value: tok }], lookalikes: [look, '/v2/items'] }),
        () => ({ body: `request headers: Cookie: sid=${sid}; lang=en-GB (${look})`, attributes: {}, planted: [{ kind: 'password', value: sid }], lookalikes: [look, 'lang=en-GB'] }),
        () => ({ body: `oauth client registered with secret ${secret} in ${look}`, attributes: {}, planted: [{ kind: 'gcp_key', value: secret }], lookalikes: [look] }),
        () => ({ body: `alert sent via https://${hook} after ${look}`, attributes: {}, planted: [{ kind: 'slack_token', value: hook }], lookalikes: [look] }),
      ])();
    },
    () => {
      // Nothing to find: the traffic most records are.
      const looks = [pick(lookalikeMakers)(), pick(lookalikeMakers)()];
      return { body: `cache miss for product ${looks[0]} refilled in ${looks[1]}`, attributes: {}, planted: [], lookalikes: looks };
    },
  ];
  return Array.from({ length: n }, () => pick(templates)());
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest;
}
