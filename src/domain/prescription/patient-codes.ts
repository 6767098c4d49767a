/**
 * Hashes of the codes patients present. The ledger holds only these until a code is used, and
 * each code must be a random secret of at least 128 bits (22 base64url characters): with a short
 * code (six digits, say) anyone able to read the entry could find it from its hash in a moment.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../../core/bytes.js';

export const ACCESS_CODE_PREFIX = 'rxledger/access-code/v1\n';
export const PICKUP_CODE_PREFIX = 'rxledger/pickup-code/v1\n';

/** hex(SHA-256("rxledger/access-code/v1\n" || code)): what the submission records for open routing. */
export const accessCodeHash = (code: string): string => bytesToHex(sha256(concatBytes(utf8(ACCESS_CODE_PREFIX), utf8(code))));
/** hex(SHA-256("rxledger/pickup-code/v1\n" || code)): what the delivery assignment records. */
export const pickupCodeHash = (code: string): string => bytesToHex(sha256(concatBytes(utf8(PICKUP_CODE_PREFIX), utf8(code))));
