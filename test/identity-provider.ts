import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { SigningKey } from './servers.ts';

// A stand-in OIDC identity provider: serves a JWKS with one RSA and one EC key; the tests get
// the private halves to sign tokens with, plus a key the JWKS does not hold, to forge with.
// Beside the JWKS it serves an identity provider in trouble, for AUTH_JWKS_URLs of the tests' own
// (same origin): /trouble/500 and /trouble/503 answer that status, /trouble/redirect a 302 to
// the JWKS, /trouble/not-json a 200 of HTML, /trouble/not-a-key-set JSON without keys, and
// /trouble/silent never answers.

export interface IdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  keys: { rsa: SigningKey; ec: SigningKey; unknown: SigningKey };
  close(): Promise<void>;
}

function signingKey(alg: SigningKey['alg']): { signing: SigningKey; published: JWK } {
  const kid = randomUUID();
  const { publicKey, privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signing: { alg, kid, privateJwk: privateKey.export({ format: 'jwk' }) as JWK },
    published: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
  };
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const rsa = signingKey('RS256');
  const ec = signingKey('ES256');
  const unknown = signingKey('RS256');
  const jwks = JSON.stringify({ keys: [rsa.published, ec.published] });

  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else if (request.url === '/trouble/500' || request.url === '/trouble/503') {
      response.writeHead(Number(request.url.slice(-3)), { 'content-type': 'application/json' }).end(jwks);
    } else if (request.url === '/trouble/redirect') {
      response.writeHead(302, { location: '/.well-known/jwks.json' }).end();
    } else if (request.url === '/trouble/not-json') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
    } else if (request.url === '/trouble/not-a-key-set') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"maintenance"}');
    } else if (request.url === '/trouble/silent') {
      // Holds the connection without answering; close() ends it.
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer: 'https://identity.test/',
    audience: 'meeting-rooms',
    keys: { rsa: rsa.signing, ec: ec.signing, unknown: unknown.signing },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
