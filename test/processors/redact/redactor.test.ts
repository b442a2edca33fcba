// The redactor on its own: each recogniser finds what it names and leaves its look-alikes (order numbers that
// fail Luhn, version strings, timestamps, UUIDs, epoch times); hashing correlates equal values under a key;
// JSON in a string is walked and written back; keys redact whole values — a deny list, or an allow list that
// fails closed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { RECOGNISER_BIT, RECOGNISERS, type Recogniser } from '../../../processors/redact/recognisers.js';
import { JSON_TO_WALK, Redactor, type Counts, type RedactorOptions } from '../../../processors/redact/redactor.js';
import { DEFAULT_BLOCKED_KEYS } from '../../../processors/redact/factory.js';
import { redactCorpus } from '../../../bench/redact_corpus.js';
import { realisticRequest } from '../../../bench/realistic_batch.js';
import { random } from '../../../bench/draws.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { Delivery } from '../../../pipeline/ack.js';
import { decodeExportRequest, encodeExportRequest } from '../../../proto/otlp.js';
import type { Plain } from '../../../processors/redact/redactor.js';
import { quickLookText } from '../../../processors/redact/quick_look.js';
import { anyAttributeFlagged } from '../../support/redact_look.js';

function redactor(over: Partial<RedactorOptions> = {}): Redactor {
  return new Redactor({ recognisers: new Set(RECOGNISERS), actions: {}, defaultAction: 'mask', blockedKeys: DEFAULT_BLOCKED_KEYS, allowedKeys: undefined, ignoredKeys: new Set(), hashKey: Buffer.from('test key'), ...over });
}

const found = (text: string, r = redactor()) => {
  const counts: Counts = new Map();
  return { text: r.text(text, counts), counts: Object.fromEntries(counts) };
};

describe('redactor', () => {
  const cases: Array<[Recogniser, string, string]> = [
    ['email', 'sent to jane.doe+shop@mail.example.co.uk today', 'sent to <email> today'],
    ['card', 'paid with 4111 1111 1111 1111 ok', 'paid with <card> ok'],
    ['card', 'amex 378282246310005.', 'amex <card>.'],
    ['iban', 'refund to DE89 3704 0044 0532 0130 00', 'refund to <iban>'],
    ['ssn', 'ssn=078-05-1120 on file', 'ssn=<ssn> on file'],
    ['phone', 'call +44 20 7946 0958 back', 'call <phone> back'],
    ['phone', 'call (415) 555-2671', 'call <phone>'],
    ['ipv4', 'from 203.0.113.7:443', 'from <ipv4>:443'],
    ['ipv6', 'peer 2001:db8:85a3::8a2e:370:7334 closed', 'peer <ipv6> closed'],
    ['mac', 'nic 3c:22:fb:0a:11:9e up', 'nic <mac> up'],
    ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'token <jwt>'],
    ['bearer', 'Authorization: Bearer 9f8e7d6c5b4a39281706', 'Authorization: <bearer>'],
    ['aws_key', 'using AKIAIOSFODNN7EXAMPLE', 'using <aws_key>'],
    ['gcp_key', 'key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', 'key <gcp_key>'],
    ['stripe_key', 'stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe <stripe_key>'],
    ['github_token', 'push with ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'push with <github_token>'],
    ['slack_token', 'bot xoxb-2048-123456789012-AbCdEfGhIjKl', 'bot <slack_token>'],
    ['password', 'login user=bob password=hunter22 ok', 'login user=bob password=<password> ok'],
    // A secret's name ending a longer one, as environment variables and config keys write them.
    ['password', 'env DB_PASSWORD=hunter22 loaded', 'env DB_PASSWORD=<password> loaded'],
    ['password', 'aws_secret_access_key: wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key: <password>'],
    ['password', 'oauth refresh_token="8xLOxBtZp8" issued', 'oauth refresh_token="<password>" issued'],
    ['password', 'Authorization: Basic dXNlcjpwYXNzd29yZA== sent', 'Authorization: Basic <password> sent'],
    ['password', 'login password=hunter22 (attempt 3)', 'login password=<password> (attempt 3)'],
    ['password', 'django SECRET_KEY=dj4ng0-1ns3cur3 set', 'django SECRET_KEY=<password> set'],
    ['email', 'GET /users?email=ann.lee%40example.com 200', 'GET /users?email=<email> 200'],
    ['password', 'signing private_key: mY5ecr3tK3y', 'signing private_key: <password>'],
    ['url_password', 'cache redis://:s3cr3t@cache:6379/0', 'cache redis://:<url_password>@cache:6379/0'],
    ['ipv6', 'peer ::ffff:192.0.2.128 closed', 'peer <ipv6> closed'],
    ['ssn', 'ssn 078 05 1120 on file', 'ssn <ssn> on file'],
    ['phone', 'call 415 555 2671 back', 'call <phone> back'],
    ['phone', 'call 1-800-555-0199 now', 'call <phone> now'],
    ['url_password', 'dsn postgres://app:Tr0ub4dor@db.internal:5432/orders', 'dsn postgres://app:<url_password>@db.internal:5432/orders'],
    // camelCase names, as Java and JavaScript write them.
    ['password', 'login userPassword=hunter22 ok', 'login userPassword=<password> ok'],
    ['password', 'oauth clientSecret: 8xLOxBtZp8q', 'oauth clientSecret: <password>'],
    ['password', 'session accessToken=abcdef123456 user=bob', 'session accessToken=<password> user=bob'],
    ['password', 'vault db2Password=hunter22', 'vault db2Password=<password>'],
    // A quoted value is taken to its closing quote, spaces and all.
    ['password', 'set password="correct horse battery" ok', 'set password="<password>" ok'],
    ['password', "set secret='two words here' ok", "set secret='<password>' ok"],
    ['password', 'body "password": "my pass phrase", "user": "ann"', 'body "password": "<password>", "user": "ann"'],
    // XML elements named as a secret.
    ['password', 'soap <user>ann</user><password>hunter 22</password>', 'soap <user>ann</user><password><password></password>'],
    ['password', 'soap <ns:apiKey>k_abcdef12</ns:apiKey>', 'soap <ns:apiKey><password></ns:apiKey>'],
    // Cisco's dotted MACs.
    ['mac', 'port Gi0/1 mac 0011.22aa.4455 learned.', 'port Gi0/1 mac <mac> learned.'],
    // Other authorization schemes, cookies, more cloud and Slack credential shapes.
    ['password', 'upstream Authorization: Token 9f8e7d6c5b4a39281706 sent', 'upstream Authorization: Token <password> sent'],
    ['password', 'okta authorization="SSWS 00QCjAl4MlV-WPXM-ABCDEFGHIJK"', 'okta authorization="SSWS <password>"'],
    ['password', 'req Cookie: session=abc123def456; theme=dark', 'req Cookie: <password>; theme=dark'],
    ['password', 'resp set-cookie: sid=s%3Aabc.def; Path=/; HttpOnly', 'resp set-cookie: <password>; Path=/; HttpOnly'],
    ['gcp_key', 'oauth client 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 ok', 'oauth client <gcp_key> ok'],
    ['gcp_key', 'call with ya29.a0AfH6SMBx3Yz_AbCdEfGhIjKlMnOpQrStUv sent', 'call with <gcp_key> sent'],
    ['slack_token', 'notify https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/AbCdEfGhIjKlMnOpQrStUvWx done', 'notify https://<slack_token> done'],
    // A bare number after a name that says what it is.
    ['phone', 'signup phone=4155552671 ok', 'signup phone=<phone> ok'],
    ['phone', 'sms customer_mobile_number: "+4915112345678" queued', 'sms customer_mobile_number: "<phone>" queued'],
    ['phone', 'profile {"name":"ann","homePhone":"4155552671"} saved', 'profile {"name":"ann","homePhone":"<phone>"} saved'],
    ['ssn', 'kyc ssn: 078051120 checked.', 'kyc ssn: <ssn> checked.'],
    ['ssn', 'kyc socialSecurityNumber=078051120', 'kyc socialSecurityNumber=<ssn>'],
    // PEM private keys: whole, JSON-escaped, cut off.
    ['private_key', 'key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7q\nab+c/d==\n-----END RSA PRIVATE KEY----- loaded', 'key <private_key> loaded'],
    ['private_key', 'sa {"k": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n"} ok', 'sa {"k": "<private_key>\\n"} ok'],
    ['private_key', 'dump -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmU', 'dump <private_key>'],
  ];
  for (const [name, input, output] of cases) {
    it(`${name}: ${input}`, () => {
      const r = found(input);
      assert.equal(r.text, output);
      assert.deepEqual(r.counts, { [name]: 1 });
    });
  }

  it('leaves the look-alikes', () => {
    for (const text of [
      'order 4111111111111112 shipped', // fails Luhn
      'order 1234-5678-9012-3456 shipped', // no card scheme starts so, nor does it pass Luhn
      'build v1.2.3.4 deployed, version 10.0.0.1',
      'at 2026-12-03T16:46:20.123Z took 16:46:20',
      'request 123e4567-e89b-12d3-a456-426614174000 and 12345678-1234-1234-1234-123456789012',
      'epoch 1764777600000 ms, 1764777600 s',
      'ssn-like 000-12-3456 and 666-12-3456',
      'IBAN-like GB00WEST12345698765432',
      'pid 4711 port 8080 took 1234 ms of 99999',
      'compass=north bypass_cache=true password_hash=$2b$10 my_sk_live_4eC39HqLyjWDarjtT1zdp7dc', // no secret's name ends these keys
      'ssn-like 078 05-1120 and 078-05 1120', // one separator throughout
      'disk 100%40 full, 50%40x', // '%40' with no domain after it
      'maxTokens=4096 passwordLength=12 isPasswordValid? yes hasSecretKeys', // no secret's name ends these
      'cert -----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE----- and BEGIN TRANSACTION', // public, and SQL
      'release 2015.1018.1234 and build 2024.0101.0003', // dotted groups of four with no letter: build numbers
      'if token> limit then <b>token</b>', // no element's end after the value
      'x</secret><id>1758866457045</id> and </password>wrong twice</p>', // what follows a closing tag
      'Authorization: denied for user bob; cookies: 3 set; cookie_count=12',
      'telemetry=1234567 order_no=4155552671 phoneVerified=1234567 iphone=12345678 ssn=000123456 fax=12ab', // no name says these are phone numbers or SSNs (or no SSA would issue it)
    ]) assert.deepEqual(found(text), { text, counts: {} }, text);
  });

  it('hashes equal values alike under the key, differently under another, and drops on request', () => {
    const a = found('from a@b.io and a@b.io', redactor({ actions: { email: 'hash' } })).text;
    const [first, second] = [...a.matchAll(/<email:([0-9a-f]{16})>/g)].map((m) => m[1]);
    assert.ok(first && first === second, a);
    const other = found('from a@b.io', redactor({ actions: { email: 'hash' }, hashKey: Buffer.from('another key') })).text;
    assert.notEqual(other, `from <email:${first}>`);
    assert.equal(found('ip 10.0.0.1 here', redactor({ actions: { ipv4: 'drop' } })).text, 'ip  here');
  });

  it('walks JSON in a string, and redacts whole the values of blocked keys', () => {
    const r = found('{"user":{"email":"bob@corp.io","db_password":"x1","cookie":["a","b"]},"ip":"10.1.1.1","n":5}');
    assert.deepEqual(JSON.parse(r.text), { user: { email: '<email>', db_password: '<redacted>', cookie: '<redacted>' }, ip: '<ipv4>', n: 5 });
    assert.deepEqual(r.counts, { email: 1, key: 2, ipv4: 1 });
    const untouched = '{ "status": "ok",  "n": 5 }';
    assert.equal(found(untouched).text, untouched, 'JSON with nothing in it stays as it came');
  });

  it('with an allow list, every other key\'s value is redacted (fail closed)', () => {
    const r = redactor({ allowedKeys: new Set(['http.method', 'http.status_code']) });
    const counts: Counts = new Map();
    assert.deepEqual(r.plain({ 'http.method': 'GET', 'http.status_code': 200, 'user.name': 'Ann Lee' }, counts), { 'http.method': 'GET', 'http.status_code': 200, 'user.name': '<redacted>' });
  });

  it('switched-off recognisers find nothing', () => {
    assert.equal(found('from 10.0.0.1', redactor({ recognisers: new Set(RECOGNISERS.filter((n) => n !== 'ipv4')) })).text, 'from 10.0.0.1');
  });

  it('the first look never skips what the full scan would find (the labelled corpus, realistic traffic, the cases above)', () => {
    const withLook = redactor();
    const fullScan = redactor({ firstLook: false });
    const texts = [
      ...redactCorpus(5000, 99).flatMap((r) => [r.body, ...Object.values(r.attributes)]),
      ...(realisticRequest(2000, 7).resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((l) => String(l.body?.stringValue)))),
      ...cases.map(([, input]) => input),
      'phone (415) 555-2671 and NL91 ABNA 0417 1643 00 and apiKey=abcdef123 and accessKey: zzz999',
    ];
    let skipped = 0;
    for (const text of texts) {
      const a: Counts = new Map();
      const b: Counts = new Map();
      assert.equal(withLook.text(text, a), fullScan.text(text, b), text);
      if (!quickLookText(text)) skipped += 1;
    }
    assert.ok(skipped > 1000, `the first look lets most of the realistic lines skip the scan (${skipped})`);
  });

  it('the first look at a record read from protobuf (body, values and keys in its bytes) never skips what the full scan finds', () => {
    const withLook = redactor();
    const fullScan = redactor({ firstLook: false });
    const corpus = redactCorpus(3000, 7);
    const request = {
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: [
        ...corpus.map((r) => ({ body: { stringValue: r.body }, attributes: Object.entries(r.attributes).map(([key, v]) => ({ key, value: { stringValue: v } })) })),
        ...(realisticRequest(1000, 3).resourceLogs![0]!.scopeLogs![0]!.logRecords ?? []),
        { body: { stringValue: 'plain' }, attributes: [{ key: 'db_password', value: { stringValue: 'x' } }] },
        { body: { stringValue: 'plain' }, attributes: [{ key: 'nested', value: { kvlistValue: { values: [{ key: 'card', value: { stringValue: '4111 1111 1111 1111' } }] } } }] },
      ] }] }],
    };
    const bytes = encodeExportRequest(request as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    let looked = 0;
    for (const group of batch.groups()) {
      for (const record of group.records) {
        const arrived = record.arrived;
        assert.ok(arrived);
        const inBody: Counts = new Map();
        const inAttributes: Counts = new Map();
        fullScan.text(record.bodyText, inBody);
        fullScan.plain(record.attributes.toObject() as Plain, inAttributes);
        const body = withLook.arrivedBody(record, arrived);
        const attributes = anyAttributeFlagged(withLook, arrived);
        if (inBody.size > 0) assert.notEqual(body, 0, `body skipped: ${record.bodyText}`);
        assert.equal(withLook.text(record.bodyText, new Map(), 0, body & ~JSON_TO_WALK), fullScan.text(record.bodyText, new Map()), record.bodyText);
        if (inAttributes.size > 0) assert.ok(attributes, `attributes skipped: ${JSON.stringify(record.attributes.toObject())}`);
        if (inBody.size === 0 && inAttributes.size === 0 && body === 0 && !attributes) looked += 1;
      }
    }
    assert.ok(looked > 500, `most records with nothing in them are skipped (${looked})`);
  });

  it('walks JSON whose keys hold a blocked word inside a word (dbPassword, userToken), by text and in a record\'s bytes', () => {
    const r = redactor();
    for (const json of ['{"dbPassword":"hunter2"}', '  {"x":{"userToken":"abc"}}', '\n {"mysecret":"a"}', '[{"sessionid":"zz"}]']) {
      assert.equal(found(json).counts.key, 1, json);
    }
    const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [
      { body: { stringValue: '{"dbPassword":"hunter2"}' } },
      { body: { stringValue: 'plain' }, attributes: [{ key: 'payload', value: { stringValue: '{"userToken":"abc"}' } }] },
    ] }] }] } as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    const [inBody, inAttribute] = [...batch.groups()].flatMap((g) => g.records);
    // (The look names `password` too: a camelCase name, then '":', is one the text's scan would read.)
    assert.equal(r.arrivedBody(inBody!, inBody!.arrived!), JSON_TO_WALK | RECOGNISER_BIT.password);
    assert.equal(anyAttributeFlagged(r, inBody!.arrived!), false);
    assert.equal(r.arrivedBody(inAttribute!, inAttribute!.arrived!), 0);
    assert.equal(anyAttributeFlagged(r, inAttribute!.arrived!), true);
  });

  it('in walked JSON and structured values, a bare number under a key that says what it is goes, as a string or a number', () => {
    const json = '{"password":"x1y2z3","contact":{"phone":4155552671,"ssn":"078051120","fax":"n/a","phone_number":-4155552671},"order_no":4155552671}';
    const r = found(json);
    assert.deepEqual(JSON.parse(r.text), { password: '<redacted>', contact: { phone: '<phone>', ssn: '<ssn>', fax: 'n/a', phone_number: -4155552671 }, order_no: 4155552671 });
    assert.deepEqual(r.counts, { key: 1, phone: 1, ssn: 1 });
    const counts: Counts = new Map();
    assert.deepEqual(redactor().plain({ contact: { mobile: '+4915112345678', order: 4155552671 } }, counts), { contact: { mobile: '<phone>', order: 4155552671 } });
    // Switched off, the key says nothing.
    assert.equal(found('phone=4155552671', redactor({ recognisers: new Set(RECOGNISERS.filter((n) => n !== 'phone')) })).text, 'phone=4155552671');
    assert.deepEqual(redactor({ recognisers: new Set(RECOGNISERS.filter((n) => n !== 'phone')) }).plain({ phone: 4155552671 }, new Map()), { phone: 4155552671 });
  });

  it('walks JSON whose escapes hide from the first look what its strings hold, by text and in a record\'s bytes', () => {
    // `\u002e` decodes to '.', `\/` to '/': the raw text shows no email and no URL with a password.
    const r = redactor();
    const hidden = ['{"msg":"from ann@example\\u002ecom"}', '{"dsn":"postgres:\\/\\/app:Tr0ub4dor@db:5432"}'];
    for (const json of hidden) assert.equal(Object.keys(found(json).counts).length, 1, json);
    const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [
      { body: { stringValue: hidden[0] } },
      { body: { stringValue: 'plain' }, attributes: [{ key: 'payload', value: { stringValue: hidden[1] } }] },
    ] }] }] } as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    const [inBody, inAttribute] = [...batch.groups()].flatMap((g) => g.records);
    assert.equal(r.arrivedBody(inBody!, inBody!.arrived!), JSON_TO_WALK);
    assert.equal(anyAttributeFlagged(r, inAttribute!.arrived!), true);
  });

  it('the first look in a record\'s bytes reads each attribute by its type: numbers long enough for a card, long strings, lists and maps looked into; the rest skipped', () => {
    const r = redactor();
    const long = `${'x'.repeat(300)} mail ann@example.com`;
    const mayContain: Array<[string, object]> = [
      ['card as an int', { intValue: '4111111111111111' }],
      ['card as a double', { doubleValue: 4111111111111111 }],
      ['a negative card-length int', { intValue: '-411111111111' }],
      ['a string past 127 bytes', { stringValue: long }],
      ['a map', { kvlistValue: { values: [{ key: 'x', value: { stringValue: 'y' } }] } }],
      ['a list', { arrayValue: { values: [{ stringValue: 'y' }] } }],
    ];
    const nothing: Array<[string, object]> = [
      ['a small int', { intValue: 200 }],
      ['a fraction', { doubleValue: 412.25 }],
      ['a bool', { boolValue: true }],
      ['bytes', { bytesValue: Buffer.from('ann@example.com') }],
      ['a long plain string', { stringValue: 'y'.repeat(300) }],
      ['no value', {}],
    ];
    const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [...mayContain, ...nothing].map(([, value]) => ({ body: { stringValue: 'plain' }, attributes: [{ key: 'v', value }] })) }] }] } as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    const records = [...batch.groups()].flatMap((g) => g.records);
    records.forEach((record, i) => {
      const [name] = [...mayContain, ...nothing][i]!;
      assert.equal(r.arrivedBody(record, record.arrived!), 0, name);
      assert.equal(anyAttributeFlagged(r, record.arrived!), i < mayContain.length, name);
    });
  });

  it('the first look finds what starts inside a chain of numbers, and lets epoch times, timestamps and versions pass', () => {
    for (const text of ['call 12 415-555-2671', 'room 7 078-05-1120', 'ref 2024.4111 1111 1111 1111', 'x 1-2 (415) 555-2671', 'via 3 10.0.0.1']) {
      assert.ok(quickLookText(text), text);
      assert.notEqual(found(text).text, text, `${text}: the full scan finds it too`);
    }
    for (const text of ['1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL INFO', 'took 1234567890 ns', 'version 10.0.19041.1566', '2026-12-04 16:38:41,123 INFO']) {
      assert.ok(!quickLookText(text), text);
    }
  });

  it('the first look lets pass what only looks like a start: a secret\'s name with no \'=\' or \':\' after it, a prefix or an IBAN after \'_\', digits after \'-\' or \'_\', a URL with no password, a short IBAN-like word', () => {
    const passing = [
      'Failed password for invalid user admin from port 22',
      'Receiving block blk_-1608999687919862906 src',
      'Created MRAppMaster for application appattempt_1445144423722_0020_000001',
      'applicability for package: Package_for_KB3121255~31bf3856ad364e35~amd64, ApplicableState: 112',
      'Input split: hdfs://namenode:9000/pjhe/logs/2kSOSP.log:21876+7292',
      'my_token is set; my_sk_live_4eC39HqLyjWDarjtT1zdp7dc kept',
      'Bearer-less request',
    ];
    for (const text of passing) {
      assert.equal(quickLookText(text, true), 0, text);
      assert.equal(found(text).text, text, `${text}: the full scan finds nothing either`);
    }
    const holding = ['userPassword=hunter22', 'x1Secret: abcdef', '<password>abc</password>', 'mac 00aa.bbcc.ddee', '-----BEGIN EC PRIVATE KEY-----', 'password = hunter22', 'client_secret: s3cr3tvalue', 'DB_PASSWORD=hunter22', 'aws_secret_access_key: wJalrXUtnFEMI', 'the_secret= unused', 'TOKEN"= abcdef', 'pass\u2003= abc', 'https://ann:pw123@db.example.com', 'id 4111-1111-1111-1111 x', 'NL91 ABNA 0417 1643 00', 'Bearer abcdefghijklmnopqrstu'];
    for (const text of holding) {
      assert.ok(quickLookText(text), text);
      assert.notEqual(found(text).text, text, `${text}: the full scan finds it`);
    }
  });

  it('where only IPv4 can match, addresses found by hand are those the expression finds and its check confirms, under each action', () => {
    // Digit runs of every length joined by dots and what may stand around them: word characters, '_', a
    // dot, a version's marks, other scripts; a seeded generator, so a failure names a text to try again.
    const uniform = random(20261205);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(uniform() * xs.length)]!;
    const run = () => (uniform() < 0.06 ? '0' : '') + String(Math.floor(uniform() * (uniform() < 0.9 ? 270 : 100_000)));
    const pieces: Array<() => string> = [
      () => Array.from({ length: 2 + Math.floor(uniform() * 5) }, run).join('.'),
      () => `${run()}.${run()}.${run()}.${run()}`,
      () => pick([' ', '.', '..', ':', '/', '~', '_', '-', 'v', 'V', 'version ', 'ver=', 'Version:"', 'x/', 'é', '\u00a0', '\u2003', 'a', 'Z9', '(', ')', ',', '=']),
    ];
    const key = Buffer.from('test key');
    let addresses = 0;
    for (const action of ['mask', 'hash', 'drop'] as const) {
      const byHand = redactor({ defaultAction: action, hashKey: key });
      const byExpression = redactor({ defaultAction: action, hashKey: key, firstLook: false });
      for (let n = 0; n < 5000; n++) {
        let text = '';
        const parts = 1 + Math.floor(uniform() * 8);
        for (let k = 0; k < parts; k++) text += pick(pieces)();
        if (quickLookText(text, true) !== RECOGNISER_BIT.ipv4) continue;
        const a: Counts = new Map();
        const b: Counts = new Map();
        assert.equal(byHand.text(text, a), byExpression.text(text, b), JSON.stringify(text));
        assert.deepEqual(a, b, JSON.stringify(text));
        addresses += a.get('ipv4') ?? 0;
      }
    }
    assert.ok(addresses > 1000, `enough addresses found (${addresses})`);
  });

  it('the first look never skips what the full scan finds, on 20,000 random texts made of what recognisers look for', () => {
    // Pieces of every shape the recognisers know, look-alikes, separators, other scripts, in random order and
    // case: a seeded generator, so a failure names a text that can be tried again.
    const uniform = random(20261204);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(uniform() * xs.length)]!;
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(uniform() * 10))).join('');
    const hex = (n: number) => Array.from({ length: n }, () => pick('0123456789abcdefABCDEF'.split(''))).join('');
    const recase = (w: string) => [...w].map((c) => (uniform() < 0.3 ? c.toUpperCase() : c)).join('');
    const pieces: Array<() => string> = [
      () => digits(1 + Math.floor(uniform() * 19)),
      () => pick([' ', '-', '.', '/', '(', ')', ':', '::', '@', '+', '_', ',', '=', '"', "'", '{', '}', '[', ']', '\t', 'é', 'š', '\u00a0', '→']),
      () => hex(1 + Math.floor(uniform() * 5)),
      () => recase(pick(['pass', 'password', 'pwd', 'secret', 'secret_key', 'private-key', 'client_secret', 'token', 'cookie', 'bearer', 'credential', 'authorization', 'api_key', 'apikey', 'access-key', 'private.key', 'session_id', 'auth_token'])),
      () => pick(['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'AKIA', 'ASIA', 'AIza', 'xoxb-', 'ghp_', 'github_pat_', 'sk_live_', 'pk_test_', 'rk_live_', 'whsec_']),
      () => pick(['DE', 'GB', 'NL', 'FR', 'IT']) + digits(2),
      () => pick(['user', 'mail', 'example', 'com', 'org', 'https', 'http', 'host', 'id', 'v', 'x', 'Bearer', 'Basic ', 'ms', 'order', 'DB_', 'aws_']),
      () => `${digits(3)}.${digits(3)}.${digits(1)}.${digits(2)}`,
      () => `${digits(3)}-${digits(2)}-${digits(4)}`,
      () => `(${digits(3)}) ${digits(3)}-${digits(4)}`,
      () => `${digits(3)}${pick(['.', '-'])}${digits(3)}${pick(['.', '-'])}${digits(4)}`,
      () => Array.from({ length: 4 }, () => digits(4)).join(pick([' ', '-'])),
      () => pick(['078-05-1120', '415-555-2671', '(415) 555-2671', '4111 1111 1111 1111', '378282246310005', '203.0.113.7']),
      () => `${hex(2)}:${hex(2)}:${hex(2)}`,
      () => pick(['://', 'https://', 'ftp://u', 'redis://:', ':p@', '%40', '%4', '%', 'a:b@h', 'blk_-', 'job_', '_', '__', ' = ', '":"', 'client_', '\u2003']),
      () => 'A'.repeat(1 + Math.floor(uniform() * 3)) + digits(2) + 'Z'.repeat(Math.floor(uniform() * 40)),
      // camelCase names, XML elements, Cisco MACs, PEM markers.
      () => pick(['db', 'user', 'x1', 'client', 'access', 'my', 'a', '9']) + pick(['Password', 'Secret', 'Token', 'ApiKey', 'PrivateKey', 'Pwd', 'PASS', 'Tokens']),
      () => pick(['<', '>', '</', '<ns:', '"', "'", ' "', '" ']),
      () => `${hex(4)}.${hex(4)}${pick(['.', ''])}${hex(pick([3, 4, 5]))}`,
      () => pick(['GOCSPX-', 'ya29.', 'hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/', 'hooks', 'Token ', 'SSWS ', 'cookie', 'Set-Cookie']),
      () => pick(['-----BEGIN', '-----BEGIN RSA PRIVATE KEY-----', ' PRIVATE KEY-----', '-----END', 'BEGIN', '-', '\\n', 'RSA']),
      () => recase(pick(['phone', 'telephone', 'tel', 'mobile', 'msisdn', 'fax', 'ssn', 'social_security', 'socialSecurity', 'Phone', 'number', '_no', 'nr'])) + pick(['=', ': ', '":"', '="', '', ' ']) + pick(['', '+']) + digits(pick([7, 9, 10, 11, 15, 16])),
    ];
    const withLook = redactor();
    const fullScan = redactor({ firstLook: false });
    const holding: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const parts = 1 + Math.floor(uniform() * 14);
      for (let k = 0; k < parts; k++) text += pick(pieces)();
      if (uniform() < 0.1) text = `{"${text.replace(/["\\]/g, '')}":"${digits(4)}"}`;
      const counts: Counts = new Map();
      if (fullScan.text(text, counts) === text) continue;
      holding.push(text);
      assert.equal(withLook.text(text, new Map()), fullScan.text(text, new Map()), `the first look skipped ${JSON.stringify(text)} (${JSON.stringify(Object.fromEntries(counts))})`);
    }
    assert.ok(holding.length > 1000, `enough texts hold something (${holding.length})`);
    // Each recogniser that finds something on its own is among those the first look names (the scan tries
    // only those).
    for (const name of RECOGNISERS) {
      const alone = redactor({ recognisers: new Set([name]), blockedKeys: [], firstLook: false });
      for (const text of holding) {
        if (alone.text(text, new Map()) !== text) assert.ok(quickLookText(text, true) & RECOGNISER_BIT[name], `${name} left out for ${JSON.stringify(text)}`);
      }
    }
    // The same texts in a record's bytes, as its body and as an attribute's value.
    const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: holding.flatMap((text) => [
      { body: { stringValue: text } },
      { body: { stringValue: 'plain' }, attributes: [{ key: 'note', value: { stringValue: text } }] },
    ]) }] }] } as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    const records = [...batch.groups()].flatMap((g) => g.records);
    records.forEach((record, i) => {
      const inBody = withLook.arrivedBody(record, record.arrived!);
      const inAttributes = anyAttributeFlagged(withLook, record.arrived!);
      const where = `in bytes: ${record.bodyText} ${JSON.stringify(record.attributes.toObject())}`;
      if (i % 2 === 0) {
        // The recognisers found possible in the bytes are those found in the text, and the scan asked for them finds the same.
        assert.equal(inBody & ~JSON_TO_WALK, quickLookText(record.bodyText, true), where);
        assert.equal(withLook.text(record.bodyText, new Map(), 0, inBody & ~JSON_TO_WALK), fullScan.text(record.bodyText, new Map()), where);
        assert.equal(inAttributes, false, where);
      } else {
        assert.equal(inBody, 0, where);
        assert.equal(inAttributes, true, where);
      }
    });
  });

  it('takes time linear in a text\'s length, whatever its shape (a megabyte of digits and dots ran for minutes when an email\'s name was unbounded)', () => {
    // In a child process with a deadline: a regular expression gone quadratic blocks its thread, and no test
    // timeout can interrupt it there.
    const script = `
      import { defaultRedactConfig, redactorFromConfig } from ${JSON.stringify(new URL('../../../processors/redact/factory.ts', import.meta.url).href)};
      const r = redactorFromConfig(defaultRedactConfig());
      for (const unit of ['1.', 'a.', 'a://', 'x1.a-', 'a@b.', '1 -', 'password=a ', 'password="a ', '<password>a ', 'aPassword=a ', '-----BEGIN PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----a-', 'ab12.']) r.text(unit.repeat(Math.ceil(1_000_000 / unit.length)), new Map());
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(run.signal, null, 'still scanning after 30 s');
    assert.equal(run.status, 0, run.stderr);
  });
});
