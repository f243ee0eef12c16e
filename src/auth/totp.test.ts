import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32Decode, base32Encode, hotp, openSecret, otpauthUri, sealSecret, totp, totpStep, verifyTotp } from './totp.ts';
import { randomBytes } from 'node:crypto';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; codes of 8 digits.
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC6238_SHA1: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
// RFC 4226 Appendix D: HOTP of the same seed for counters 0…9, 6 digits.
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP (RFC 6238, SHA-1)', () => {
  it('computes the RFC 4226 HOTP test values', () => {
    RFC4226.forEach((code, counter) => expect(hotp(RFC_SEED, counter)).toBe(code));
  });

  it('computes the RFC 6238 test values for SHA-1', () => {
    for (const [seconds, code] of RFC6238_SHA1) expect(totp(RFC_SEED, new Date(seconds * 1000), 8)).toBe(code);
  });

  it('accepts the codes of the step before and after, not two steps away', () => {
    const at = new Date(1111111111 * 1000);
    const step = totpStep(at);
    const code = (s: number) => hotp(RFC_SEED, s);
    expect(verifyTotp(RFC_SEED, code(step), at)).toBe(step);
    expect(verifyTotp(RFC_SEED, code(step - 1), at)).toBe(step - 1);
    expect(verifyTotp(RFC_SEED, code(step + 1), at)).toBe(step + 1);
    expect(verifyTotp(RFC_SEED, code(step - 2), at)).toBeNull();
    expect(verifyTotp(RFC_SEED, code(step + 2), at)).toBeNull();
    expect(verifyTotp(RFC_SEED, '12345', at)).toBeNull();
    expect(verifyTotp(RFC_SEED, 'abcdef', at)).toBeNull();
  });

  it('refuses a code of a step already used (no replay)', () => {
    const at = new Date(1234567890 * 1000);
    const step = totpStep(at);
    const code = hotp(RFC_SEED, step);
    expect(verifyTotp(RFC_SEED, code, at, step - 1)).toBe(step);
    expect(verifyTotp(RFC_SEED, code, at, step)).toBeNull();
    // The next step's code is still good after this one was used.
    expect(verifyTotp(RFC_SEED, hotp(RFC_SEED, step + 1), at, step)).toBe(step + 1);
  });

  it('encodes base32 as RFC 4648 does, and decodes what it encodes', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, b32] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(b32);
      expect(base32Decode(b32).toString()).toBe(plain);
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => Buffer.from(base32Decode(base32Encode(bytes))).equals(Buffer.from(bytes))));
    expect(() => base32Decode('MZ1W')).toThrow(/base32/);
  });

  it('writes an otpauth:// URI with the secret, issuer and parameters', () => {
    const uri = new URL(otpauthUri(RFC_SEED, 'city.supervisor', 'CityLoop'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/CityLoop:city.supervisor');
    expect(base32Decode(uri.searchParams.get('secret')!).equals(RFC_SEED)).toBe(true);
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
  });

  it('seals a secret so that only the same key and user open it', () => {
    const key = randomBytes(32);
    const secret = randomBytes(20);
    const sealed = sealSecret(key, secret, 'user-1');
    expect(sealed).not.toContain(base32Encode(secret));
    expect(sealed).not.toContain(secret.toString('base64url'));
    expect(openSecret(key, sealed, 'user-1').equals(secret)).toBe(true);
    expect(() => openSecret(key, sealed, 'user-2')).toThrow();
    expect(() => openSecret(randomBytes(32), sealed, 'user-1')).toThrow();
    // Two seals of one secret differ (a fresh nonce each time).
    expect(sealSecret(key, secret, 'user-1')).not.toBe(sealed);
  });
});
