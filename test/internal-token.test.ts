import { afterEach, describe, expect, it, vi } from 'vitest';
import { signInternalToken, verifyInternalToken } from '../platform/internal-token.ts';

const SECRET = 'internal-token-test-secret-0123456789';
const OTHER = 'another-internal-secret-0123456789ab';

afterEach(() => {
  vi.useRealTimers();
});

describe('internal tokens', () => {
  it('a genuine token vouches for its viewer, every time it is presented', async () => {
    const token = await signInternalToken({ userId: 'u7', scopes: ['platform:review'], clientName: 'grid' }, SECRET);
    for (let i = 0; i < 3; i++) {
      expect(await verifyInternalToken(token, SECRET)).toEqual({ userId: 'u7', scopes: ['platform:review'], clientName: 'grid' });
    }
  });

  it('a token already accepted is refused under another secret', async () => {
    const token = await signInternalToken({ userId: 'u8', scopes: [] }, SECRET);
    expect(await verifyInternalToken(token, SECRET)).not.toBeNull();
    expect(await verifyInternalToken(token, OTHER)).toBeNull();
  });

  it('a token already accepted is refused once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const token = await signInternalToken({ userId: 'u9', scopes: [] }, SECRET);
    expect(await verifyInternalToken(token, SECRET)).not.toBeNull();
    vi.setSystemTime(new Date('2026-03-01T10:00:59Z'));
    expect(await verifyInternalToken(token, SECRET)).not.toBeNull();
    vi.setSystemTime(new Date('2026-03-01T10:01:01Z'));
    expect(await verifyInternalToken(token, SECRET)).toBeNull();
  });

  it('an altered token is refused even when the genuine one was accepted', async () => {
    const token = await signInternalToken({ userId: 'u1', scopes: [] }, SECRET);
    expect(await verifyInternalToken(token, SECRET)).not.toBeNull();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, sub: 'u2' })).toString('base64url'), signature].join('.');
    expect(await verifyInternalToken(forged, SECRET)).toBeNull();
    expect(await verifyInternalToken(undefined, SECRET)).toBeNull();
  });

  it('is signed once per viewer and second, and anew the next second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00.100Z'));
    const first = await signInternalToken({ userId: 'u4', scopes: [] }, SECRET);
    vi.setSystemTime(new Date('2026-03-01T10:00:00.900Z'));
    expect(await signInternalToken({ userId: 'u4', scopes: [] }, SECRET)).toBe(first);
    expect(await signInternalToken({ userId: 'u5', scopes: [] }, SECRET)).not.toBe(first);
    expect(await signInternalToken({ userId: 'u4', scopes: ['platform:review'] }, SECRET)).not.toBe(first);
    expect(await signInternalToken({ userId: 'u4', scopes: [] }, OTHER)).not.toBe(first);
    vi.setSystemTime(new Date('2026-03-01T10:00:01.000Z'));
    const next = await signInternalToken({ userId: 'u4', scopes: [] }, SECRET);
    expect(next).not.toBe(first);
    // each is what it claims: the viewer, issued that second
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims(first)).toMatchObject({ sub: 'u4', iat: Date.parse('2026-03-01T10:00:00Z') / 1000 });
    expect(claims(next)).toMatchObject({ sub: 'u4', iat: Date.parse('2026-03-01T10:00:01Z') / 1000 });
    expect(await verifyInternalToken(next, SECRET)).toEqual({ userId: 'u4', scopes: [], clientName: undefined });
  });

  it('what a token vouches for cannot be changed by whoever receives it', async () => {
    const token = await signInternalToken({ userId: 'u3', scopes: [] }, SECRET);
    const viewer = (await verifyInternalToken(token, SECRET))!;
    expect(() => viewer.scopes.push('platform:review')).toThrow();
    expect((await verifyInternalToken(token, SECRET))!.scopes).toEqual([]);
  });
});
