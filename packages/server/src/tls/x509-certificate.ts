import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicitPrimitive,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
  derUtf8,
} from './der.js';

/** What a certificate says; the builder signs it with ECDSA P-256 and SHA-256. */
export interface CertificateRequest {
  /** The subject's common name. */
  readonly commonName: string;
  /** The subject's public key (an EC P-256 key). */
  readonly publicKey: KeyObject;
  /** The issuer's common name and private key; the subject's own for a self-signed CA. */
  readonly issuer: { readonly commonName: string; readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate may sign others; a server certificate names its hosts. */
  readonly role: { readonly kind: 'ca' } | { readonly kind: 'server'; readonly hosts: readonly string[] };
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/**
 * Builds and signs an X.509 v3 certificate (RFC 5280) and returns it as PEM: just the
 * fields a development CA and a localhost server certificate need, with node:crypto
 * doing the signing.
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * const pem = buildCertificate({ commonName: 'Dev CA', publicKey, issuer: { commonName: 'Dev CA', privateKey, publicKey },
 *   notBefore: new Date(), notAfter: new Date(Date.now() + 864e5), role: { kind: 'ca' } });
 */
export function buildCertificate(request: CertificateRequest): string {
  const algorithm = derSequence(derOid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive and a full 16 bytes (RFC 5280 §4.1.2.2)
  const tbs = derSequence(
    derExplicit(0, derSmallInteger(2)),
    derUnsignedInteger(serial),
    algorithm,
    toName(request.issuer.commonName),
    derSequence(derTime(request.notBefore), derTime(request.notAfter)),
    toName(request.commonName),
    spkiOf(request.publicKey),
    derExplicit(3, derSequence(...extensionsOf(request))),
  );
  const signature = sign('sha256', tbs, { key: request.issuer.privateKey, dsaEncoding: 'der' });
  const der = derSequence(tbs, algorithm, derBitString(signature));
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
}

function toName(commonName: string): Buffer {
  return derSequence(derSet(derSequence(derOid(OID.commonName), derUtf8(commonName))));
}

function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
}

/** The key identifier of RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdOf(key: KeyObject): Buffer {
  const spki = spkiOf(key);
  // The public key's BIT STRING is the SPKI's last element; P-256 points are 65 bytes.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? derSequence(derOid(oid), derBoolean(true), derOctetString(value))
    : derSequence(derOid(oid), derOctetString(value));
}

function extensionsOf(request: CertificateRequest): Buffer[] {
  const identifiers = [
    extension(OID.subjectKeyIdentifier, false, derOctetString(keyIdOf(request.publicKey))),
    extension(
      OID.authorityKeyIdentifier,
      false,
      derSequence(derImplicitPrimitive(0, keyIdOf(request.issuer.publicKey))),
    ),
  ];
  if (request.role.kind === 'ca') {
    return [
      extension(OID.basicConstraints, true, derSequence(derBoolean(true), derSmallInteger(0))),
      // keyCertSign and cRLSign: bits 5 and 6, so 0b0000_0110 with one unused bit.
      extension(OID.keyUsage, true, derBitString(Buffer.from([0x06]), 1)),
      ...identifiers,
    ];
  }
  return [
    extension(OID.basicConstraints, true, derSequence()),
    // digitalSignature: bit 0, so 0b1000_0000 with seven unused bits.
    extension(OID.keyUsage, true, derBitString(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, derSequence(derOid(OID.serverAuth))),
    extension(OID.subjectAltName, false, derSequence(...request.role.hosts.map(toGeneralName))),
    ...identifiers,
  ];
}

/** A host as a GeneralName: `[7] iPAddress` for addresses, `[2] dNSName` otherwise. */
function toGeneralName(host: string): Buffer {
  if (isIPv4(host)) return derImplicitPrimitive(7, Buffer.from(host.split('.').map(Number)));
  if (isIPv6(host)) return derImplicitPrimitive(7, ipv6Bytes(host));
  return derImplicitPrimitive(2, Buffer.from(host, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(all.map((group) => Buffer.from(group.padStart(4, '0'), 'hex')));
}
