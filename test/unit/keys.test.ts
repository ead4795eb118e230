import { generateApiKey, hashApiKey, keyPrefix } from '../../lib/keys';

describe('API keys', () => {
  const keys = Array.from({ length: 200 }, () => generateApiKey());

  it('are unique, as are their hashes', () => {
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.hash)).size).toBe(keys.length);
  });

  it('look like hk_<8 lowercase alphanumerics>_<43 base64url characters>', () => {
    for (const { key } of keys) {
      expect(key).toMatch(/^hk_[a-z0-9]{8}_/);
      expect(key).toMatch(/^hk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    }
  });

  it('carry their prefix and the hash of the key', () => {
    for (const { key, prefix, hash } of keys) {
      expect(key.startsWith(`hk_${prefix}_`)).toBe(true);
      expect(hash).toBe(hashApiKey(key));
    }
  });
});

describe('hashApiKey', () => {
  it('is deterministic', () => {
    expect(hashApiKey('hk_abcdefgh_secret')).toBe(hashApiKey('hk_abcdefgh_secret'));
  });

  it('is a hex SHA-256 that never equals the key', () => {
    for (const { key } of Array.from({ length: 20 }, () => generateApiKey())) {
      const hash = hashApiKey(key);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toBe(key);
      expect(hash).not.toContain(key);
    }
  });

  it('matches the known SHA-256 of a fixed input', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('distinguishes keys that differ in one character', () => {
    expect(hashApiKey('hk_abcdefgh_a')).not.toBe(hashApiKey('hk_abcdefgh_b'));
  });
});

describe('keyPrefix', () => {
  it('extracts the prefix of a well-formed key', () => {
    const { key, prefix } = generateApiKey();
    expect(keyPrefix(key)).toBe(prefix);
    expect(keyPrefix(`hk_0a1b2c3d_${'A'.repeat(43)}`)).toBe('0a1b2c3d');
  });

  it('falls back to the first eight characters of anything else', () => {
    expect(keyPrefix('not-a-key-at-all')).toBe('not-a-ke');
    expect(keyPrefix('hk_0a1b2c3d_tooshort')).toBe('hk_0a1b2');
    expect(keyPrefix('short')).toBe('short');
    expect(keyPrefix('')).toBe('');
  });
});
