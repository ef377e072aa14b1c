import { X509Certificate, createPublicKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { ConfigError } from '../config/config-error.js';
import { ASYMMETRIC_ALGORITHMS } from '../config/load-config.js';

/** Resolves the key for one token's protected header (a local or remote JWK Set). */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey | KeyObject>;

/** A public key, or a set of them, loaded from `--jwt-public-key`, with the algorithms it can verify. */
export type PublicKeyMaterial =
  | { readonly kind: 'key'; readonly key: KeyObject; readonly algorithms: readonly string[] }
  | { readonly kind: 'set'; readonly resolve: KeyResolver; readonly algorithms: readonly string[] };

const RSA = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const CURVE_ALGORITHMS: Readonly<Record<string, string>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/**
 * Reads a public key file: a PEM public key (SPKI), an X.509 certificate, a
 * JWK, or a JWK Set (`{"keys": […]}`). A private key is reduced to its public
 * half; a symmetric JWK is refused, since an HMAC secret belongs in `--jwt-secret`.
 *
 * @throws {ConfigError} `ERR_CONFIG` for option `jwt-public-key`.
 */
export async function loadPublicKeyFile(file: string): Promise<PublicKeyMaterial> {
  const fail = (why: string, cause?: unknown): never => {
    throw new ConfigError('jwt-public-key', `--jwt-public-key ${file}: ${why}`, { value: file, cause });
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    return fail('cannot read the file', cause);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(trimmed);
    } catch (cause) {
      return fail('is neither PEM nor valid JSON', cause);
    }
    if (typeof jwk === 'object' && jwk !== null && Array.isArray((jwk as { keys?: unknown }).keys)) {
      const set = jwk as JSONWebKeySet;
      if (set.keys.some((key) => key.kty === 'oct')) fail('a JWK Set with symmetric keys is not a public key');
      return { kind: 'set', resolve: createLocalJWKSet(set), algorithms: [...ASYMMETRIC_ALGORITHMS] };
    }
    const single = jwk as NodeJsonWebKey & { alg?: unknown };
    if (single.kty === 'oct') return fail('a symmetric JWK is not a public key; use --jwt-secret');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: single, format: 'jwk' });
    } catch (cause) {
      return fail('is not a usable JWK', cause);
    }
    const algorithms = algorithmsForKey(key);
    if (typeof single.alg === 'string') {
      if (!algorithms.includes(single.alg)) fail(`JWK alg ${single.alg} does not fit its key type`);
      return { kind: 'key', key, algorithms: [single.alg] };
    }
    return { kind: 'key', key, algorithms };
  }
  let key: KeyObject;
  try {
    key = trimmed.includes('-----BEGIN CERTIFICATE-----')
      ? new X509Certificate(trimmed).publicKey
      : createPublicKey({ key: trimmed, format: 'pem' });
  } catch (cause) {
    return fail('is not a PEM public key, certificate or JWK', cause);
  }
  const algorithms = algorithmsForKey(key);
  if (algorithms.length === 0) fail(`key type ${key.asymmetricKeyType ?? 'unknown'} cannot verify JWTs`);
  return { kind: 'key', key, algorithms };
}

/** The JWS algorithms a public key can verify: RS*+PS* for RSA, one ES* per curve, EdDSA for Ed25519/Ed448. */
export function algorithmsForKey(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return [...RSA];
    case 'rsa-pss':
      return RSA.filter((alg) => alg.startsWith('PS'));
    case 'ec': {
      const alg = CURVE_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg === undefined ? [] : [alg];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    case 'ed448':
      return ['EdDSA'];
    default:
      return [];
  }
}
