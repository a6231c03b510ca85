/**
 * The engine's hand-written JSON text (gateway/engine/json-text.ts) is JSON.stringify's,
 * byte for byte, for every kind of value JSON.parse makes: strings that must be escaped and
 * strings that must not, numbers of every shape, composite keys.
 */
import { describe, expect, it } from 'vitest';
import { representationText, stringText } from '../gateway/engine/json-text.ts';
import { random } from './support/hostile.ts';

const STRINGS = ['', 'plain', 'say "hi"', 'C:\\temp', 'line\nbreak\ttab\r\b\f', '\u0000\u0001\u001f', '\u007f', 'sep\u2028arator\u2029', 'café ½', '上海咖啡', 'lone \ud800 high', 'lone \udc00 low', 'pair \ud83d\ude00', '\ud83d', 'x'.repeat(5000)];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -3.25e-300];

describe('JSON text written by hand', () => {
  it('writes strings as JSON.stringify does, escaped or not', () => {
    for (const value of STRINGS) expect(stringText(value)).toBe(JSON.stringify(value));
  });

  it('writes generated entity representations as JSON.stringify does', () => {
    const next = random(7);
    const scalar = (): unknown => {
      const roll = next();
      if (roll < 0.4) return STRINGS[Math.floor(next() * STRINGS.length)];
      if (roll < 0.7) return NUMBERS[Math.floor(next() * NUMBERS.length)];
      if (roll < 0.8) return next() < 0.5;
      if (roll < 0.85) return null;
      if (roll < 0.9) return undefined;
      return roll < 0.95 ? [scalar(), scalar()] : { id: scalar(), nested: { upc: scalar() } };
    };
    for (let run = 0; run < 2000; run++) {
      const representation: Record<string, unknown> = { __typename: 'Product' };
      const fields = Math.floor(next() * 5);
      for (let f = 0; f < fields; f++) representation[['id', 'upc', 'weight', 'price', 'tags', 'location'][Math.floor(next() * 6)]] = scalar();
      expect(representationText(representation)).toBe(JSON.stringify(representation));
    }
    // nothing but left-out values: an empty object
    expect(representationText({ a: undefined })).toBe('{}');
  });
});
