/**
 * Authenticated reads: a strict profile of HTTP Message Signatures (RFC 9421) with Ed25519.
 *
 *   Signature-Input: rx=("@method" "@path" "@query");created=<unix seconds>;keyid="<actor key id>";alg="ed25519";nonce="<32 hex>";tag="rxledger-read"
 *   Signature: rx=:<base64 Ed25519 signature over the signature base>:
 *
 * The signature base is RFC 9421 §2.5's, for exactly these three derived components:
 *
 *   "@method": GET
 *   "@path": /v1/log/entries
 *   "@query": ?start=0&end=10
 *   "@signature-params": ("@method" "@path" "@query");created=…;keyid="…";alg="ed25519";nonce="…";tag="rxledger-read"
 *
 * lines joined by "\n" with no final newline. The profile fixes the label, the component list and
 * the parameter order, so the server parses with one exact pattern and never has to canonicalise a
 * client's structured-field spelling. "@query" is "?" when the request has no query (§2.2.7).
 */
import { decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { RxError } from './errors.js';
import { signEd25519 } from './ed25519.js';

export const READ_SIGNATURE_TAG = 'rxledger-read';
const COMPONENTS = '("@method" "@path" "@query")';

export interface ReadSignatureParams {
  /** Unix time in seconds. */
  readonly created: number;
  readonly keyId: string;
  readonly nonce: string;
}

export interface SignedReadRequest {
  readonly method: string;
  /** Path without the query, e.g. `/v1/log/entries`. */
  readonly path: string;
  /** The query with its leading `?`, or `?` alone when there is none. */
  readonly query: string;
}

export function formatSignatureParams(p: ReadSignatureParams): string {
  return `${COMPONENTS};created=${p.created};keyid="${p.keyId}";alg="ed25519";nonce="${p.nonce}";tag="${READ_SIGNATURE_TAG}"`;
}

export function readSignatureBase(request: SignedReadRequest, params: ReadSignatureParams): Uint8Array {
  return utf8(
    [
      `"@method": ${request.method.toUpperCase()}`,
      `"@path": ${request.path}`,
      `"@query": ${request.query === '' ? '?' : request.query}`,
      `"@signature-params": ${formatSignatureParams(params)}`,
    ].join('\n'),
  );
}

/** The two headers of a signed read; `signBytes` may be a native Ed25519 (the same bytes, faster). */
export function signRead(
  request: SignedReadRequest,
  params: ReadSignatureParams,
  seed: Uint8Array,
  signBytes: (message: Uint8Array, seed: Uint8Array) => Uint8Array = signEd25519,
): { 'signature-input': string; signature: string } {
  return {
    'signature-input': `rx=${formatSignatureParams(params)}`,
    signature: `rx=:${encodeBase64(signBytes(readSignatureBase(request, params), seed))}:`,
  };
}

const INPUT_PATTERN = new RegExp(
  `^rx=\\("@method" "@path" "@query"\\);created=([0-9]{1,12});keyid="([0-9a-f]{16})";alg="ed25519";nonce="([0-9a-f]{32,64})";tag="${READ_SIGNATURE_TAG}"$`,
);
const SIGNATURE_PATTERN = /^rx=:([A-Za-z0-9+/]+={0,2}):$/;

/** Parses the two headers of the profile; throws AUTH_SIGNATURE_INVALID naming the header at fault. */
export function parseReadSignature(signatureInput: string | undefined, signature: string | undefined): { params: ReadSignatureParams; signature: Uint8Array } {
  if (signatureInput === undefined || signature === undefined) {
    throw new RxError('AUTH_REQUIRED', 'this resource needs a signed request (Signature-Input and Signature headers)', { paths: ['headers.signature'] });
  }
  const input = INPUT_PATTERN.exec(signatureInput);
  if (input === null) throw new RxError('AUTH_SIGNATURE_INVALID', 'Signature-Input does not follow the rxledger-read profile', { paths: ['headers.signature-input'] });
  const sig = SIGNATURE_PATTERN.exec(signature);
  let bytes: Uint8Array | undefined;
  try {
    bytes = sig === null ? undefined : decodeBase64(sig[1] as string);
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length !== 64) throw new RxError('AUTH_SIGNATURE_INVALID', 'Signature must be rx=:<base64 of 64 bytes>:', { paths: ['headers.signature'] });
  return { params: { created: Number(input[1]), keyId: input[2] as string, nonce: input[3] as string }, signature: bytes };
}
