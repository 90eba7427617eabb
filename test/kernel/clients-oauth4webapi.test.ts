// oauth4webapi (unchanged, from node_modules) on the polyfill, in both
// modes, offline: every HTTP request goes to a customFetch that records it
// (and serves the authorization server's JWKS), so what the library put on
// the wire is checked independently with Node's own WebCrypto (nodeSubtle,
// and node:crypto for HMAC).
//
// oauth4webapi calls the global `crypto.subtle` and checks keys with
// `instanceof CryptoKey` against the global CryptoKey, so install() puts it
// on our implementation; operationCounts(globalThis.crypto) shows SHA-256 and
// HMAC in the kernel.
//
// Strict mode: PKCE (SHA-256) and client_secret_jwt (HS256) work exactly as
// in hybrid mode; ES256 (DPoP, private_key_jwt, JWT access tokens) rejects
// with NotSupportedError.
import { createHmac, createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CryptoKey, operationCounts } from '../../src/index';
import type { Mode } from '../../src/webcrypto/dispatch';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle } from '../helpers/oracles';
import { installPolyfill, type InstalledPolyfill } from '../helpers/polyfill-globals';

type Counts = ReturnType<typeof operationCounts>;

const ISSUER = 'https://as.example.com';
const RESOURCE = 'https://rs.example.com';
const REDIRECT = 'https://rp.example.com/cb';
const b64u = (bytes: Uint8Array | ArrayBuffer) => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('base64url');
const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

/** A fresh AuthorizationServer (oauth4webapi caches JWKS per object). */
function authorizationServer(): oauth.AuthorizationServer {
  return { issuer: ISSUER, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/jwks` };
}

interface Captured { url: string; headers: Record<string, string>; body: URLSearchParams }

/** A customFetch that records each request and answers like a server would. */
function recorder(jwks?: object) {
  const requests: Captured[] = [];
  const fetch = async (url: string, options: { headers: Record<string, string>; body?: unknown }) => {
    requests.push({ url, headers: options.headers, body: new URLSearchParams(options.body as URLSearchParams ?? '') });
    if (jwks && url === `${ISSUER}/jwks`)
      return new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } });
  };
  return { requests, fetch: fetch as never };
}

/** A signed JWT's ECDSA/EdDSA/RSA signature checked by Node's WebCrypto against a JWK. */
async function nodeVerifies(token: string, jwk: JsonWebKey, importAlg: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams, verifyAlg: AlgorithmIdentifier | EcdsaParams | RsaPssParams): Promise<boolean> {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const key = await nodeSubtle.importKey('jwk', jwk, importAlg, false, ['verify']);
  return nodeSubtle.verify(verifyAlg, key, Buffer.from(signature, 'base64url'), new TextEncoder().encode(`${header}.${payload}`));
}

/** RFC 7638 thumbprint of an EC public JWK, by node:crypto. */
function thumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

describe.each<Mode>(['hybrid', 'strict'])('oauth4webapi on the polyfill, %s mode', (mode) => {
  let polyfill: InstalledPolyfill;
  beforeAll(() => {
    requireAfAlg();
    polyfill = installPolyfill({ mode });
  });
  afterAll(() => polyfill?.uninstall());

  async function ours<T>(work: () => Promise<T>): Promise<[T, Counts]> {
    expect(globalThis.crypto).toBe(polyfill.crypto);
    const before = operationCounts(polyfill.crypto);
    const result = await work();
    const after = operationCounts(polyfill.crypto);
    const delta: Counts = { kernel: {}, platform: {} };
    for (const backend of ['kernel', 'platform'] as const)
      for (const [name, n] of Object.entries(after[backend]))
        if (n !== (before[backend][name] ?? 0)) delta[backend][name] = n - (before[backend][name] ?? 0);
    return [result, delta];
  }

  async function expectNotSupported(promise: Promise<unknown>, algorithm: string): Promise<void> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error, 'the promise should reject').toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('NotSupportedError');
    expect((error as DOMException).message).toContain(algorithm);
  }

  // ---- symmetric: both modes -------------------------------------------------------------

  test('PKCE: calculatePKCECodeChallenge gives RFC 7636 appendix B\'s challenge, by the kernel\'s SHA-256', async () => {
    const [challenge, counts] = await ours(() => oauth.calculatePKCECodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'));
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(counts).toEqual({ kernel: { 'SHA-256': 1 }, platform: {} });
    const verifier = oauth.generateRandomCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await oauth.calculatePKCECodeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  test('client_secret_jwt: the token request carries an HS256 assertion that node:crypto verifies', async () => {
    const as = authorizationServer();
    const client: oauth.Client = { client_id: 'client-1' };
    const secret = 'a client secret that is long enough for HS256';
    const params = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?code=c0de&state=st4te`), 'st4te');
    const verifier = oauth.generateRandomCodeVerifier();
    const { requests, fetch } = recorder();
    const [response, counts] = await ours(() => oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretJwt(secret), params,
      REDIRECT, verifier, { [oauth.customFetch]: fetch }));
    expect(response.status).toBe(400);
    expect(counts).toEqual({ kernel: { HMAC: 2 }, platform: {} }); // importKey, sign
    expect(requests).toHaveLength(1);
    const body = requests[0]!.body;
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('c0de');
    expect(body.get('code_verifier')).toBe(verifier);
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = body.get('client_assertion')!;
    const [header, payload, signature] = assertion.split('.') as [string, string, string];
    expect(json(header)).toEqual({ alg: 'HS256' });
    expect(json(payload)).toMatchObject({ iss: 'client-1', sub: 'client-1', aud: ISSUER });
    expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
  });

  // ---- asymmetric ------------------------------------------------------------------------

  if (mode === 'hybrid') {
    test('generateKeyPair gives our CryptoKeys, which oauth4webapi accepts (instanceof the global CryptoKey)', async () => {
      const [pair, counts] = await ours(() => oauth.generateKeyPair('ES256'));
      expect(pair.privateKey).toBeInstanceOf(CryptoKey);
      expect(pair.publicKey).toBeInstanceOf(CryptoKey);
      expect(pair.privateKey.extractable).toBe(false);
      expect(counts).toEqual({ kernel: {}, platform: { ECDSA: 1 } });
    });

    test('DPoP (ES256) on a token request and a resource request: proofs Node verifies, ath by the kernel\'s SHA-256', async () => {
      const as = authorizationServer();
      const client: oauth.Client = { client_id: 'client-1' };
      const keyPair = await oauth.generateKeyPair('ES256');
      const dpop = oauth.DPoP(client, keyPair);
      const { requests, fetch } = recorder();
      const params = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?code=c0de`), oauth.expectNoState);
      const [, tokenCounts] = await ours(() => oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretJwt('s3cret'), params,
        REDIRECT, oauth.nopkce, { DPoP: dpop, [oauth.customFetch]: fetch }));
      expect(tokenCounts.platform.ECDSA).toBeGreaterThan(0); // exportKey of the public key, sign
      expect(tokenCounts.kernel.HMAC).toBe(2);

      const accessToken = 'an.opaque.access-token';
      const [, resourceCounts] = await ours(() => oauth.protectedResourceRequest(accessToken, 'GET', new URL(`${RESOURCE}/api?x=1`),
        new Headers(), null, { DPoP: dpop, [oauth.customFetch]: fetch }));
      expect(resourceCounts.kernel['SHA-256']).toBe(1); // ath
      expect(resourceCounts.platform).toEqual({ ECDSA: 1 }); // sign (the header's JWK is cached)

      expect(requests).toHaveLength(2);
      const [tokenProof, resourceProof] = requests.map((r) => r.headers.dpop!);
      for (const proof of [tokenProof!, resourceProof!]) {
        const header = json(proof.split('.')[0]!);
        expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
        expect(header.jwk).not.toHaveProperty('d');
        expect(await nodeVerifies(proof, header.jwk as JsonWebKey, { name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' })).toBe(true);
      }
      expect(json(tokenProof!.split('.')[1]!)).toMatchObject({ htm: 'POST', htu: `${ISSUER}/token` });
      expect(json(resourceProof!.split('.')[1]!)).toMatchObject({
        htm: 'GET', htu: `${RESOURCE}/api`, ath: createHash('sha256').update(accessToken).digest('base64url'),
      });
      expect(requests[1]!.headers.authorization).toBe(`DPoP ${accessToken}`);
    });

    test.each([
      { alg: 'ES256', importAlg: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAlg: { name: 'ECDSA', hash: 'SHA-256' }, subtle: 'ECDSA' },
      { alg: 'PS256', importAlg: { name: 'RSA-PSS', hash: 'SHA-256' }, verifyAlg: { name: 'RSA-PSS', saltLength: 32 }, subtle: 'RSA-PSS' },
      { alg: 'Ed25519', importAlg: { name: 'Ed25519' }, verifyAlg: { name: 'Ed25519' }, subtle: 'Ed25519' },
    ])('private_key_jwt with $alg: an assertion Node verifies', async ({ alg, importAlg, verifyAlg, subtle }) => {
      const as = authorizationServer();
      const client: oauth.Client = { client_id: 'client-2' };
      const pair = await oauth.generateKeyPair(alg);
      const publicJwk = await polyfill.crypto.subtle.exportKey('jwk', pair.publicKey) as JsonWebKey;
      const { requests, fetch } = recorder();
      const params = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?code=c0de`), oauth.expectNoState);
      const [, counts] = await ours(() => oauth.authorizationCodeGrantRequest(as, client, oauth.PrivateKeyJwt({ key: pair.privateKey, kid: 'k1' }),
        params, REDIRECT, oauth.nopkce, { [oauth.customFetch]: fetch }));
      expect(counts).toEqual({ kernel: {}, platform: { [subtle]: 1 } });
      const assertion = requests[0]!.body.get('client_assertion')!;
      expect(json(assertion.split('.')[0]!)).toEqual({ alg, kid: 'k1' });
      expect(json(assertion.split('.')[1]!)).toMatchObject({ iss: 'client-2', sub: 'client-2', aud: ISSUER });
      expect(await nodeVerifies(assertion, publicJwk, importAlg, verifyAlg)).toBe(true);
    });

    test('resource server: validateJwtAccessToken checks a Node-signed ES256 access token and our DPoP proof', async () => {
      const as = authorizationServer();
      const client: oauth.Client = { client_id: 'client-3' };
      // The authorization server's key and token: made with Node's WebCrypto.
      const asPair = await nodeSubtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as globalThis.CryptoKeyPair;
      const asJwk = { ...await nodeSubtle.exportKey('jwk', asPair.publicKey), kid: 'as-1', alg: 'ES256', use: 'sig' };
      delete asJwk.key_ops;
      delete asJwk.ext;
      // The client's DPoP key: ours.
      const dpopPair = await oauth.generateKeyPair('ES256');
      const dpopJwk = await polyfill.crypto.subtle.exportKey('jwk', dpopPair.publicKey) as JsonWebKey;
      const header = b64u(new TextEncoder().encode(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'as-1' })));
      const claims = { iss: ISSUER, aud: RESOURCE, sub: 'alice', client_id: 'client-3', jti: 'j1', iat: now(), exp: now() + 300, cnf: { jkt: thumbprint(dpopJwk) } };
      const body = b64u(new TextEncoder().encode(JSON.stringify(claims)));
      const signature = await nodeSubtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, asPair.privateKey, new TextEncoder().encode(`${header}.${body}`));
      const accessToken = `${header}.${body}.${b64u(signature)}`;

      const { requests, fetch } = recorder({ keys: [asJwk] });
      const url = new URL(`${RESOURCE}/api`);
      await oauth.protectedResourceRequest(accessToken, 'GET', url, new Headers(), null, { DPoP: oauth.DPoP(client, dpopPair), [oauth.customFetch]: fetch });
      const request = new Request(url, { headers: requests[0]!.headers });
      const [validated, counts] = await ours(() => oauth.validateJwtAccessToken(as, request, RESOURCE, { [oauth.customFetch]: fetch }));
      expect(validated).toMatchObject({ sub: 'alice', client_id: 'client-3', cnf: { jkt: claims.cnf.jkt } });
      expect(counts.platform.ECDSA).toBeGreaterThanOrEqual(3); // import + verify of the AS key, import + verify of the proof's key
      expect(counts.kernel['SHA-256']).toBeGreaterThanOrEqual(2); // the proof's ath and the key's thumbprint

      // A token whose signature does not match is refused.
      const forged = `${header}.${b64u(new TextEncoder().encode(JSON.stringify({ ...claims, sub: 'mallory' })))}.${b64u(signature)}`;
      await oauth.protectedResourceRequest(forged, 'GET', url, new Headers(), null, { DPoP: oauth.DPoP(client, dpopPair), [oauth.customFetch]: fetch });
      const forgedRequest = new Request(url, { headers: requests[2]!.headers });
      await expect(oauth.validateJwtAccessToken(authorizationServer(), forgedRequest, RESOURCE, { [oauth.customFetch]: fetch }))
        .rejects.toThrow(/signature/i);
    });
  } else {
    test('generateKeyPair ES256 / PS256 / Ed25519 rejects with NotSupportedError; the platform is never used', async () => {
      const [, counts] = await ours(async () => {
        await expectNotSupported(oauth.generateKeyPair('ES256'), 'ECDSA');
        await expectNotSupported(oauth.generateKeyPair('PS256'), 'RSA-PSS');
        await expectNotSupported(oauth.generateKeyPair('Ed25519'), 'Ed25519');
      });
      expect(counts).toEqual({ kernel: {}, platform: {} });
    });

    test('resource server: validating an ES256 access token rejects with NotSupportedError', async () => {
      const as = authorizationServer();
      const asPair = await nodeSubtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']) as globalThis.CryptoKeyPair;
      const asJwk = { ...await nodeSubtle.exportKey('jwk', asPair.publicKey), kid: 'as-1' };
      delete asJwk.key_ops;
      delete asJwk.ext;
      const header = b64u(new TextEncoder().encode(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'as-1' })));
      const claims = { iss: ISSUER, aud: RESOURCE, sub: 'alice', client_id: 'c', jti: 'j1', iat: now(), exp: now() + 300 };
      const body = b64u(new TextEncoder().encode(JSON.stringify(claims)));
      const signature = await nodeSubtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, asPair.privateKey, new TextEncoder().encode(`${header}.${body}`));
      const { fetch } = recorder({ keys: [asJwk] });
      const request = new Request(`${RESOURCE}/api`, { headers: { authorization: `Bearer ${header}.${body}.${b64u(signature)}` } });
      await expectNotSupported(oauth.validateJwtAccessToken(as, request, RESOURCE, { [oauth.customFetch]: fetch }), 'ECDSA');
      expect(operationCounts(polyfill.crypto).platform).toEqual({});
    });
  }
});
