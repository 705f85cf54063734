import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '../errors.js';
import { checkExpectedDigest, expectDigest, GENESIS_DIGEST, isHistoryDigest, nextHistoryDigest } from './history-digest.js';

describe('history digest', () => {
  it('is sha256 of the previous digest’s bytes, then each text’s UTF-8 length (4 bytes, big-endian) and bytes', () => {
    // sha256 of 32 zero bytes, a published value: an empty first commit
    expect(nextHistoryDigest(GENESIS_DIGEST, [])).toBe('66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
    const text = '{"op":"delete","entity":"policy","key":"p-é"}';
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBe(text.length + 1);
    const by = createHash('sha256').update(Buffer.alloc(32)).update(Buffer.from([0, 0, 0, bytes.length])).update(bytes).digest('hex');
    expect(nextHistoryDigest(GENESIS_DIGEST, [text])).toBe(by);
  });

  it('keeps apart what plain concatenation would join: one text or two, one commit or two, order', () => {
    const seen = new Set([
      nextHistoryDigest(GENESIS_DIGEST, ['ab']),
      nextHistoryDigest(GENESIS_DIGEST, ['a', 'b']),
      nextHistoryDigest(GENESIS_DIGEST, ['b', 'a']),
      nextHistoryDigest(nextHistoryDigest(GENESIS_DIGEST, ['a']), ['b']),
      nextHistoryDigest(GENESIS_DIGEST, ['a', '', 'b']),
    ]);
    expect(seen.size).toBe(5);
    for (const d of seen) expect(isHistoryDigest(d)).toBe(true);
  });

  it('refuses to chain from what is no digest (a hand-edited row), with corrupt_data', () => {
    for (const bad of ['', 'zz'.repeat(32), GENESIS_DIGEST.toUpperCase().replace(/0/g, 'A'), `${GENESIS_DIGEST}0`]) {
      const e = (() => {
        try {
          nextHistoryDigest(bad, []);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('corrupt_data');
    }
  });

  it('checks a commit’s expected digest: absent is no check, malformed is invalid_input, another is revision_conflict', () => {
    expect(() => checkExpectedDigest(undefined)).not.toThrow();
    expect(() => checkExpectedDigest(GENESIS_DIGEST)).not.toThrow();
    for (const bad of [null, '', 'x', 7, GENESIS_DIGEST.slice(1)]) expect(() => checkExpectedDigest(bad)).toThrow(ValidationError);
    const other = nextHistoryDigest(GENESIS_DIGEST, ['x']);
    expect(() => expectDigest(undefined, other, 3)).not.toThrow();
    expect(() => expectDigest(other, other, 3)).not.toThrow();
    expect(() => expectDigest(GENESIS_DIGEST, other, 3)).toThrow(expect.objectContaining({ code: 'revision_conflict' }));
  });
});
