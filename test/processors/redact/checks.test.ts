// The checks that confirm a match (recognisers.ts: card numbers by Luhn and scheme, IBANs by MOD-97, SSNs by
// the SSA's rules, phone numbers by their digits) read it a character at a time; held here to their plain
// definitions — digits stripped, sliced, split, tested by expressions, as they were first written — on
// seeded random texts shaped like each recogniser's matches, valid ones among them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { random } from '../../../bench/draws.js';
import { confirmed } from '../../../processors/redact/recognisers.js';

const reference = {
  card(text: string): boolean {
    const digits = text.replace(/[ -]/g, '');
    const n = digits.length;
    if (n < 13 || n > 19) return false;
    const two = Number(digits.slice(0, 2));
    const four = Number(digits.slice(0, 4));
    const scheme =
      (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) ||
      (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && n === 16) ||
      ((two === 34 || two === 37) && n === 15) ||
      ((four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) && n >= 16) ||
      (four >= 3528 && four <= 3589 && n >= 16) ||
      ((two === 36 || two === 38 || (four >= 3000 && four <= 3059)) && n >= 14) ||
      (two === 62 && n >= 16);
    if (!scheme) return false;
    const sum = [...digits].reverse().reduce((s, ch, i) => {
      let d = Number(ch);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      return s + d;
    }, 0);
    return sum % 10 === 0;
  },
  iban(text: string): boolean {
    const iban = text.replace(/ /g, '');
    if (iban.length < 15 || iban.length > 34) return false;
    let rest = 0;
    for (const ch of iban.slice(4) + iban.slice(0, 4)) {
      const code = ch.charCodeAt(0);
      const value = code >= 65 ? code - 55 : code - 48;
      rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
    }
    return rest === 1;
  },
  ssn(text: string): boolean {
    const [area, group, serial] = text.split('-');
    return area !== '000' && area !== '666' && area![0] !== '9' && group !== '00' && serial !== '0000';
  },
  phone(text: string): boolean {
    const digits = text.replace(/\D/g, '').length;
    return digits >= 7 && digits <= 15 && !/^\+\d+\.\d+$/.test(text);
  },
};

describe('the checks that confirm a match', () => {
  const u = random(20261205);
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  const digits = (k: number) => Array.from({ length: k }, () => int(0, 9)).join('');
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const luhnComplete = (partial: string) => [...'0123456789'].map((d) => partial + d).find((c) => reference.card(c) || u() < 0.02) ?? partial + '0';
  const makers = {
    card: () => {
      const prefix = pick(['4', '51', '55', '2221', '2720', '34', '37', '6011', '65', '6445', '3530', '3589', '36', '38', '3000', '62', '1', '9', '0']);
      const number = u() < 0.5 ? luhnComplete(prefix + digits(int(12, 18) - prefix.length)) : prefix + digits(int(11, 20) - prefix.length);
      return u() < 0.5 ? number : number.replace(/(\d{4})(?=\d)/g, `$1${pick([' ', '-'])}`);
    },
    iban: () => {
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      const body = Array.from({ length: int(10, 31) }, () => (u() < 0.7 ? String(int(0, 9)) : letters[int(0, 25)])).join('');
      const country = `${letters[int(0, 25)]}${letters[int(0, 25)]}`;
      // A valid check digit half the time.
      let text = `${country}${digits(2)}${body}`;
      if (u() < 0.5) for (let check = 0; check < 100 && !reference.iban(text); check++) text = `${country}${String(check).padStart(2, '0')}${body}`;
      return u() < 0.5 ? text : text.replace(/(.{4})(?=.)/g, '$1 ');
    },
    ssn: () => `${u() < 0.3 ? pick(['000', '666', '900', '999']) : digits(3)}-${u() < 0.2 ? '00' : digits(2)}-${u() < 0.2 ? '0000' : digits(4)}`,
    phone: () => {
      // Signed decimals and what is nearly one ("+.1234567", "+1234567.", "+12.34.567").
      if (u() < 0.3) return `+${digits(int(0, 9))}${pick(['.', '.', '..', '-'])}${digits(int(0, 12))}${pick(['', '', '.', '.5'])}`;
      const parts = Array.from({ length: int(1, 5) }, () => digits(int(1, 5)));
      return `${pick(['', '+', '+', '('])}${parts.join(pick(['', ' ', '-', '.', '.', ') ']))}`;
    },
  };

  for (const name of ['card', 'iban', 'ssn', 'phone'] as const) {
    it(`${name}: the same answer as the plain definition`, () => {
      let yes = 0;
      for (let n = 0; n < 20_000; n++) {
        const text = makers[name]();
        const expected = reference[name](text);
        assert.equal(confirmed(name, text, text, 0), expected, `${name}: ${JSON.stringify(text)}`);
        if (expected) yes++;
      }
      assert.ok(yes > 1000 && yes < 19_000, `${name}: both answers tried (${yes} confirmed)`);
    });
  }
});
