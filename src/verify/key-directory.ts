/**
 * Every public key the log registers, by key ID, learnt from the raw entries as they are read and
 * before they are judged, so signature preflight (preflight.ts) can verify statements ahead of
 * the replay. Only a speed-up: the replay still decides whether a key was registered, valid and
 * unrevoked at each index, and a key learnt here from an entry the replay later refuses only
 * means a verification result nobody asks for.
 */
import { decodeBase64 } from '../core/bytes.js';
import { actorKeyId } from '../core/statement.js';
import type { KeyLookup } from './preflight.js';

/** Entry types whose statement payload carries a `publicKey` that becomes an actor key. */
const KEY_REGISTERING_TYPES = ['registry.key-add', 'registry.genesis-operator'];
const TYPE_MARKER = Buffer.from('"type":"');

export class KeyDirectory implements KeyLookup {
  private readonly keys = new Map<string, Uint8Array>();
  /** Keys in the order they were learnt, for handing to worker threads incrementally. */
  readonly learnt: Array<readonly [string, Uint8Array]> = [];

  get(keyId: string): Uint8Array | undefined {
    return this.keys.get(keyId);
  }

  add(keyId: string, publicKey: Uint8Array): void {
    if (this.keys.has(keyId)) return;
    this.keys.set(keyId, publicKey);
    this.learnt.push([keyId, publicKey]);
  }

  /** Learns the key `data` registers, if it is a key-registering entry; ignores anything malformed. */
  scan(data: Uint8Array): void {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // The envelope's members are sorted, body first: its `type` is the last one in the bytes.
    const at = bytes.lastIndexOf(TYPE_MARKER);
    if (at < 0) return;
    const tail = bytes.toString('latin1', at + TYPE_MARKER.length, at + TYPE_MARKER.length + 32);
    if (!KEY_REGISTERING_TYPES.some((type) => tail.startsWith(`${type}"`))) return;
    try {
      const publicKey = decodeBase64((JSON.parse(bytes.toString('utf8')) as { body: { statement: { payload: { publicKey: string } } } }).body.statement.payload.publicKey);
      this.add(actorKeyId(publicKey), publicKey);
    } catch {
      // Not a well-formed registration: the replay will say so.
    }
  }
}
