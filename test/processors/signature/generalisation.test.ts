// The failure classes seen on real systems the miner was never tuned on (issue 11), each from bodies
// written here: variables spanning a varying number of words, a program or host name as the first word,
// and distinct events merged into one pattern — the costliest error, since a POST spike then hides in a GET
// pattern and first-K keeps one of the two.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateMiner } from '../../../processors/signature/template_miner.js';

/** Final ids (as they stand after every body was seen) of each body, in one service. */
function idsOf(bodies: readonly string[]): string[] {
  const miner = new TemplateMiner();
  const patterns = bodies.map((b) => miner.add('svc', b));
  return patterns.map((p) => p.current.id);
}

const distinct = (ids: readonly string[]) => new Set(ids).size;

describe('variables that span a varying number of words', () => {
  it('a size with its conversion in brackets is one value', () => {
    const ids = idsOf(['conn 1 closed, 0 bytes sent', 'conn 2 closed, 1,234 bytes (1.2 KB) sent', 'conn 3 closed, 12,345,678 bytes (11.8 MB) sent']);
    assert.equal(distinct(ids), 1);
  });

  it('durations in their common forms are one value, whichever form comes first', () => {
    const forms = ['session 4 ended after 12 requests, lifetime <1 sec', 'session 5 ended after 3 requests, lifetime 00:01:02', 'session 6 ended after 9 requests, lifetime 02:13'];
    assert.equal(distinct(idsOf(forms)), 1);
    assert.equal(distinct(idsOf([...forms].reverse())), 1);
  });

  it('a host with a domain or a port is one value, and a bare host joins it', () => {
    // Two bodies only: fewer than it takes the miner to call two different words a variable.
    assert.equal(distinct(idsOf(['connected to db.example.org:5070 in 3 ms', 'connected to cache-2.internal.example.com in 5 ms'])), 1);
    const ids = idsOf(['connected to db.example.org:5070 in 3 ms', 'connected to dbhost in 4 ms', 'connected to 10.1.2.3:6379 in 2 ms']);
    assert.equal(distinct(ids), 1);
  });

  it('a quoted phrase and a bracketed list are one value however many words they hold', () => {
    assert.equal(distinct(idsOf(['opened "quarterly report final.pdf" for reading', 'opened "notes.txt" for reading', 'opened "a b" for reading'])), 1);
    assert.equal(distinct(idsOf(['assigned partitions [orders-0, orders-1, orders-2] to member m1', 'assigned partitions [orders-3] to member m2', 'assigned partitions [payments-0, payments-7] to member m3'])), 1);
  });

  it('version strings of any shape are one value', () => {
    const miner = new TemplateMiner();
    // Two shapes only, fewer than it takes the miner to call two different words a variable.
    const templates = ['1.2.3-4ubuntu5', '2:1.18.4-1+deb10u1'].map((v) => miner.add('dpkg', `status installed libfoo ${v}`).current);
    assert.equal(new Set(templates.map((p) => p.current.id)).size, 1);
    assert.equal(templates[0]!.current.template, 'status installed libfoo <*>');
  });
});

describe('a program or host name as the first word', () => {
  it('does not hide the template: the first word becomes the variable', () => {
    // The last word is a word too (not a variable, which would have every template compared).
    const bodies = ['kernel: link eth0 is up', 'systemd: link eth1 is up', 'netd: link wlan0 is up', 'kernel: link eth2 is up'];
    const ids = idsOf(bodies);
    assert.equal(distinct(ids), 1);
    const miner = new TemplateMiner();
    for (const b of bodies) miner.add('svc', b);
    // The colon every program name had is kept around the variable.
    assert.equal(miner.add('svc', 'udevd: link eth3 is up').template, '<*>: link <*> is up');
  });
});

describe('distinct events stay apart', () => {
  it('lifecycle verbs in one place are distinct events, however many instances there are', () => {
    const verbs = ['Started', 'Stopped', 'Paused', 'Resumed'];
    const bodies = Array.from({ length: 40 }, (_, i) => `[instance: ${(i * 7919).toString(16)}-aa] VM ${verbs[i % 4]} (Lifecycle Event)`);
    const ids = idsOf(bodies);
    assert.equal(distinct(ids), 4);
    verbs.forEach((_, v) => assert.equal(distinct(ids.filter((__, i) => i % 4 === v)), 1, verbs[v]));
  });

  it('HTTP methods and routes are not swallowed; ids inside a path and the protocol version are handled', () => {
    const miner = new TemplateMiner();
    const get = miner.add('web', '10.0.0.1 "GET /api/users/42 HTTP/1.1" 200 512');
    const post = miner.add('web', '10.0.0.2 "POST /api/users/43 HTTP/1.1" 201 80');
    const orders = miner.add('web', '10.0.0.3 "GET /api/orders/9 HTTP/1.1" 200 77');
    const again = miner.add('web', '10.0.0.4 "GET /api/users/7?expand=true HTTP/1.1" 200 13');
    assert.equal(get.template, '<*> "GET /api/users/<*> HTTP/1.1" <*>');
    assert.notEqual(get.current.id, post.current.id, 'GET and POST');
    assert.notEqual(get.current.id, orders.current.id, '/api/users and /api/orders');
    assert.equal(again.current.template, '<*> "GET /api/users/<*>?<*> HTTP/1.1" <*>');
    // Many methods over many routes still keep the methods apart.
    const methods = ['GET', 'POST', 'PUT', 'DELETE'];
    const ids = Array.from({ length: 40 }, (_, i) => miner.add('web', `${methods[i % 4]} /api/items/${i} took ${i} ms`).current);
    assert.equal(new Set(ids.map((p) => p.current.id)).size, 4);
  });

  it('a logfmt or key=value message names its event; the other values are variables', () => {
    const ids = idsOf([
      'level=info msg="user logged in" user=alice',
      'level=info msg="user logged in" user=bob',
      'level=info msg="payment declined" user=carol',
      'level=info msg="payment declined" user=dave',
      'level=info event=order_created order=o-1',
      'level=info event=payment_failed order=o-2',
      'level=info event=order_created order=o-3',
    ]);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[2], ids[3]);
    assert.notEqual(ids[0], ids[2], 'two messages');
    assert.equal(ids[4], ids[6]);
    assert.notEqual(ids[4], ids[5], 'two events');
  });

  it('a position whose values are many is still a variable', () => {
    const ids = idsOf(['Invalid user admin from 1.2.3.4', 'Invalid user oracle from 1.2.3.5', 'Invalid user test from 1.2.3.6', 'Invalid user guest from 1.2.3.7']);
    assert.equal(distinct(ids), 1);
  });
});

describe('a variable found by mining keeps the punctuation around it', () => {
  const templateAfter = (bodies: readonly string[]) => {
    const miner = new TemplateMiner();
    return bodies.map((b) => miner.add('svc', b)).at(-1)!.current.template;
  };

  it('quotes, brackets and a trailing comma shared by the words stay', () => {
    assert.equal(templateAfter(["loading hive 'SOFTWARE' now", "loading hive 'SYSTEM' now", "loading hive 'SAM' now"]), "loading hive '<*>' now");
    assert.equal(templateAfter(['synchronized to 10.0.0.1, stratum 3', 'synchronized to LOCAL(0), stratum 10']), 'synchronized to <*>, stratum <*>');
  });

  it('a masked value against an empty one is a variable at once, brackets kept', () => {
    const ids = idsOf(['connection from 10.0.0.1 (dsl-7.example.net) at noon', 'connection from 10.0.0.2 () at noon']);
    assert.equal(distinct(ids), 1);
    assert.equal(templateAfter(['connection from 10.0.0.1 (dsl-7.example.net) at noon', 'connection from 10.0.0.2 () at noon']), 'connection from <*> (<*>) at noon');
  });

  it('a field empty on one side and set on the other is another event, not a variable', () => {
    const ids = idsOf(['auth failure; uid=0 tty=ssh rhost=10.0.0.1 user=root', 'auth failure; uid=0 tty=ssh rhost=10.0.0.2 user=root', 'auth failure; uid=0 tty=:0 rhost= user=root']);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[0], ids[2]);
  });

  it('upper-case state words are distinct events like lower-case ones', () => {
    const states = ['LOOKING', 'FOLLOWING', 'LEADING'];
    const ids = idsOf(Array.from({ length: 12 }, (_, i) => `Notification: ${i} (n.round), ${states[i % 3]} (my state)`));
    assert.equal(distinct(ids), 3);
  });
});
