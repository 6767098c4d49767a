/** Where the verifier reads a log from. Everything a source returns is untrusted. */
export interface SourceEntry {
  readonly index: number;
  readonly data: Uint8Array;
}

/** A stored tree node: level 0 is a leaf hash. */
export interface StoredNode {
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface LogSource {
  /** For reports: "database /path" or "http://host:port". */
  readonly description: string;
  /** The latest signed checkpoint note. */
  checkpoint(): Promise<string>;
  /** Number of entries the source holds (may exceed the checkpoint's size). */
  size(): Promise<number>;
  /** Entries from `start` in order; the verifier checks indexes, so a source may skip or repeat. */
  entries(start: number, end: number): AsyncIterable<SourceEntry>;
  /** A source that stores the tree lets the verifier check each stored node against its recomputation. */
  readStoredNode?(level: number, index: number): Uint8Array | undefined;
  /** The same, for up to `limit` stored nodes of one level from `start` in index order (faster when a source has it). */
  readStoredNodes?(level: number, start: number, limit: number): StoredNode[];
  /** Every checkpoint the source ever published, if it keeps a history. */
  checkpointHistory?(): Promise<string[]>;
  /** RFC 9162 consistency proof served by the source, checked in addition to the recomputed roots. */
  consistencyProof?(from: number, to: number): Promise<Uint8Array[]>;
  /** A stored rule-set bundle's bytes by hash (the verifier recomputes the hash), to re-run checks. */
  ruleSetBundle?(hash: string): Promise<Uint8Array | undefined>;
  /**
   * The registry the source claims the log derives (a database's registry tables, a bundle's
   * registry record), compared with the replay's; untrusted JSON in RegistrySnapshot form.
   */
  registrySnapshot?(): Promise<unknown>;
  /** What the snapshot is, for reports ("the registry tables"). */
  readonly registrySnapshotName?: string;
  /**
   * The rest of the derived state the source claims the log derives (a database's state tables),
   * compared with the replay's record by record (derived-state-check.ts).
   */
  claimedState?(): ClaimedStateTables;
  close?(): Promise<void> | void;
}

/**
 * A source's derived-state tables, row by row as stored: every value is untrusted (SQLite columns
 * hold whatever was written into them) and is checked for type before it is compared. Each reader
 * streams its rows, in any order; a reader may be called once.
 */
export interface ClaimedStateTables {
  /** For reports: "the state tables". */
  readonly name: string;
  /** The single log-state row, or undefined when there is none. */
  logState(): { readonly origin: unknown; readonly keysEntryIndex: unknown } | undefined;
  settings(): Iterable<{ readonly name: unknown; readonly value: unknown }>;
  statements(): Iterable<{ readonly actorId: unknown; readonly nonce: unknown; readonly idempotencyKey: unknown; readonly requestHash: unknown; readonly index: unknown }>;
  prescriptions(): Iterable<ClaimedPrescriptionRow>;
  traceCodes(): Iterable<{ readonly code: unknown; readonly prescriptionId: unknown; readonly index: unknown }>;
  ruleSetActivations(): Iterable<{ readonly index: unknown; readonly hash: unknown; readonly policy: unknown }>;
}

/** A prescription row: the record as JSON text, and the copies of its fields that lookups filter on. */
export interface ClaimedPrescriptionRow {
  readonly prescriptionId: unknown;
  readonly pseudonym: unknown;
  readonly state: unknown;
  readonly routePharmacy: unknown;
  readonly holder: unknown;
  readonly courierId: unknown;
  readonly submittedIndex: unknown;
  readonly claimFrom: unknown;
  readonly claimUntil: unknown;
  readonly record: unknown;
  /**
   * JSON text of what another prescription's check reads of this one (livePrescriptionFixedPart);
   * absent in a database from before schema version 13, which has no such column (the service
   * fills it in from the records, which are compared, when it opens the file).
   */
  readonly checkSummary?: unknown;
}
