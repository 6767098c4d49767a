/**
 * Versioned schema migrations. `PRAGMA user_version` records the last applied version; each
 * migration runs in its own transaction together with the version bump, so a crash leaves the
 * database at a whole version. Released migrations are never edited: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ledger entries, stored perfect subtrees, checkpoints',
    sql: `
      -- One row per leaf: the exact canonical bytes that were hashed, and their leaf hash (the
      -- tree's level 0, kept here rather than in tree_nodes to save one insert per entry).
      CREATE TABLE entries (
        idx       INTEGER PRIMARY KEY CHECK (idx >= 0),
        leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
        data      BLOB NOT NULL
      );
      -- Hash of every complete perfect subtree above the leaves (level >= 1).
      CREATE TABLE tree_nodes (
        level INTEGER NOT NULL CHECK (level >= 1 AND level < 64),
        idx   INTEGER NOT NULL CHECK (idx >= 0),
        hash  BLOB NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      ) WITHOUT ROWID;
      -- Every checkpoint ever published, keyed by tree size.
      CREATE TABLE checkpoints (
        size         INTEGER PRIMARY KEY CHECK (size >= 0),
        note         TEXT NOT NULL,
        published_ms INTEGER NOT NULL
      );
      -- Single-row log state; the latest checkpoint is replaced only by compare-and-swap.
      CREATE TABLE log_state (
        id                 INTEGER PRIMARY KEY CHECK (id = 1),
        origin             TEXT NOT NULL,
        latest_checkpoint  TEXT,
        keys_entry_index   INTEGER
      );
    `,
  },
  {
    version: 2,
    description: 'registry projection: institutions, actors, keys, statements (nonces and idempotency)',
    sql: `
      -- Derived state: every row is a function of the ledger's registry entries, written in the
      -- same transaction as the entry that causes it. A replay of the log rebuilds it exactly.
      CREATE TABLE registry_institutions (
        institution_id TEXT PRIMARY KEY,
        kind           TEXT NOT NULL,
        region         TEXT NOT NULL,
        delivers       INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE registry_actors (
        actor_id       TEXT PRIMARY KEY,
        role           TEXT NOT NULL,
        institution_id TEXT REFERENCES registry_institutions (institution_id),
        region         TEXT,
        privileges     TEXT,
        suspended      INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE registry_keys (
        key_id     TEXT PRIMARY KEY,
        actor_id   TEXT NOT NULL REFERENCES registry_actors (actor_id),
        public_key BLOB NOT NULL CHECK (length(public_key) = 32),
        not_before INTEGER NOT NULL,
        not_after  INTEGER,
        revoked_at INTEGER
      ) WITHOUT ROWID;
      -- One row per accepted signed statement: its nonce and idempotency key are spent.
      CREATE TABLE registry_statements (
        actor_id        TEXT NOT NULL,
        nonce           TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash    TEXT NOT NULL,
        idx             INTEGER NOT NULL,
        PRIMARY KEY (actor_id, nonce)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX registry_statements_idempotency ON registry_statements (actor_id, idempotency_key);
      -- Policy the log recorded (ledger.auth-policy), by name.
      CREATE TABLE registry_settings (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'prescription projection: one row per prescription, traceability codes dispensed',
    sql: `
      -- Derived state, written in the same transaction as the entry that causes it; a replay of
      -- the log rebuilds it exactly. \`record\` is the PrescriptionRecord as JSON; the other
      -- columns are copies of its fields that queues and lookups filter on.
      CREATE TABLE rx_prescriptions (
        prescription_id TEXT PRIMARY KEY,
        pseudonym       TEXT NOT NULL,
        state           TEXT NOT NULL,
        route_pharmacy  TEXT,
        holder          TEXT,
        courier_id      TEXT,
        submitted_idx   INTEGER NOT NULL,
        claim_from      INTEGER NOT NULL,
        claim_until     INTEGER NOT NULL,
        record          TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX rx_prescriptions_patient ON rx_prescriptions (pseudonym);
      CREATE INDEX rx_prescriptions_queue ON rx_prescriptions (route_pharmacy, state, submitted_idx);
      CREATE INDEX rx_prescriptions_holder ON rx_prescriptions (holder, submitted_idx);
      CREATE INDEX rx_prescriptions_courier ON rx_prescriptions (courier_id, submitted_idx);
      CREATE TABLE rx_trace_codes (
        code            TEXT PRIMARY KEY,
        prescription_id TEXT NOT NULL,
        idx             INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: 'rule sets: stored bundles by hash, and the activations the log records',
    sql: `
      -- Content-addressed: a bundle's bytes are JCS and its key their domain-separated SHA-256
      -- (docs/CHECKER.md). Stored before the activation that names it, and never deleted, so any
      -- check in the log can be re-run from this database.
      CREATE TABLE rule_set_bundles (
        hash  TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
      ) WITHOUT ROWID;
      -- Derived state: one row per ledger.rule-set entry; the active rule set is the last one.
      CREATE TABLE rule_set_activations (
        idx    INTEGER PRIMARY KEY,
        hash   TEXT NOT NULL,
        policy TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'prescription projection: rows in submission order, narrower indexes',
    sql: `
      -- Same columns and rows. A record is about 1.5 KB: keyed by prescription id (WITHOUT ROWID),
      -- every submission split a page somewhere in the table; in a rowid table it is appended,
      -- and the id stays unique through an index of short keys. The queue and courier indexes
      -- hold only the rows their queries read (active prescriptions, assigned deliveries), and
      -- no query reads by holder. Fewer pages are written per commit.
      CREATE TABLE rx_prescriptions_new (
        prescription_id TEXT NOT NULL UNIQUE,
        pseudonym       TEXT NOT NULL,
        state           TEXT NOT NULL,
        route_pharmacy  TEXT,
        holder          TEXT,
        courier_id      TEXT,
        submitted_idx   INTEGER NOT NULL,
        claim_from      INTEGER NOT NULL,
        claim_until     INTEGER NOT NULL,
        record          TEXT NOT NULL
      );
      INSERT INTO rx_prescriptions_new SELECT * FROM rx_prescriptions ORDER BY submitted_idx;
      DROP TABLE rx_prescriptions;
      ALTER TABLE rx_prescriptions_new RENAME TO rx_prescriptions;
      CREATE INDEX rx_prescriptions_patient ON rx_prescriptions (pseudonym);
      CREATE INDEX rx_prescriptions_queue ON rx_prescriptions (route_pharmacy, submitted_idx) WHERE state = 'active';
      CREATE INDEX rx_prescriptions_courier ON rx_prescriptions (courier_id, submitted_idx) WHERE courier_id IS NOT NULL;
    `,
  },
  {
    version: 6,
    description: 'witness cosignatures of published checkpoints',
    sql: `
      -- Content, not derived state: C2SP tlog-cosignature lines that configured witnesses
      -- submitted (POST /v1/checkpoint/cosignatures), verified before they are stored. One row per
      -- (checkpoint, witness): a witness that cosigns the same checkpoint again replaces its row
      -- only with a later timestamp. \`witness\` is the witness's C2SP vkey; a row can only name a
      -- checkpoint the ledger published.
      CREATE TABLE checkpoint_cosignatures (
        size        INTEGER NOT NULL REFERENCES checkpoints (size),
        witness     TEXT NOT NULL,
        timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
        line        TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (size, witness)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    description: 'oversight projection: counters, turnaround histograms, alerts, fold state and cursor',
    sql: `
      -- Derived from the log by src/oversight/ (docs/OVERSIGHT.md) and written by
      -- src/store/oversight-store.ts, one transaction per folded batch together with the cursor
      -- (ov_meta 'size'), so a crash never counts an entry twice. Never written by the ledger.
      CREATE TABLE ov_meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      -- Counters by dimension, grain (day, week, month), period (its first day) and key; figure
      -- is an event count, a coded reason ('overrideReasons.monitored') or a turnaround's count
      -- or sum ('turnaround.submitToClaim.sumMs').
      CREATE TABLE ov_counts (
        dim    TEXT NOT NULL,
        grain  TEXT NOT NULL,
        period TEXT NOT NULL,
        key    TEXT NOT NULL,
        figure TEXT NOT NULL,
        n      INTEGER NOT NULL,
        PRIMARY KEY (dim, grain, period, key, figure)
      ) WITHOUT ROWID;
      -- Turnaround histograms on fixed log-scale buckets (src/oversight/histogram.ts).
      CREATE TABLE ov_histograms (
        dim    TEXT NOT NULL,
        grain  TEXT NOT NULL,
        period TEXT NOT NULL,
        key    TEXT NOT NULL,
        metric TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        n      INTEGER NOT NULL,
        PRIMARY KEY (dim, grain, period, key, metric, bucket)
      ) WITHOUT ROWID;
      -- The fold's memory between entries: per-prescription facts and detector windows, as JSON.
      CREATE TABLE ov_state (
        ns    TEXT NOT NULL,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (ns, key)
      ) WITHOUT ROWID;
      -- When claimable prescriptions expire (end of their last claim window).
      CREATE TABLE ov_expiries (
        prescription_id TEXT PRIMARY KEY,
        at              INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX ov_expiries_at ON ov_expiries (at, prescription_id);
      -- Alerts in the order the log raised them (seq).
      CREATE TABLE ov_alerts (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL,
        time         INTEGER NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id   TEXT NOT NULL,
        summary      TEXT NOT NULL,
        details      TEXT NOT NULL,
        entries      TEXT NOT NULL
      );
      CREATE INDEX ov_alerts_kind ON ov_alerts (kind, seq);
    `,
  },
  {
    version: 8,
    description: "prescription projection: a patient's live prescriptions indexed apart from their history",
    sql: `
      -- The checker reads the patient's live prescriptions (neither awaiting their check nor
      -- final) at every submission. Through an index on the pseudonym alone that read every
      -- prescription the patient ever had, and the store parsed each one's record: a patient on
      -- a monthly repeat for years made every new submission slower. This index holds live rows
      -- only; prescription-store.ts repeats its WHERE term word for word, which is what lets
      -- SQLite use it (test/store/prescription-store.test.ts checks the plan).
      DROP INDEX rx_prescriptions_patient;
      CREATE INDEX rx_prescriptions_live ON rx_prescriptions (pseudonym)
        WHERE state NOT IN ('submitted', 'rejected', 'refused', 'delivered', 'collected', 'cancelled', 'superseded', 'expired');
    `,
  },
  {
    version: 9,
    description: 'spent nonces and idempotency keys ordered by the key, then the actor',
    sql: `
      -- The same rows and the same uniqueness: (nonce, actor) is unique exactly when (actor, nonce)
      -- is, and lookups give both. Ordered by actor first, every statement's row went to a page of
      -- its own, and those pages were most of what a commit wrote; ordered by the key first, the
      -- time-ordered nonces and keys the client library makes (statement-signer.ts) are added at
      -- the end, a few pages per commit (docs/BENCHMARKS.md). Random keys cost what they did.
      CREATE TABLE registry_statements_new (
        actor_id        TEXT NOT NULL,
        nonce           TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash    TEXT NOT NULL,
        idx             INTEGER NOT NULL,
        PRIMARY KEY (nonce, actor_id)
      ) WITHOUT ROWID;
      INSERT INTO registry_statements_new SELECT actor_id, nonce, idempotency_key, request_hash, idx FROM registry_statements;
      DROP TABLE registry_statements;
      ALTER TABLE registry_statements_new RENAME TO registry_statements;
      CREATE UNIQUE INDEX registry_statements_idempotency ON registry_statements (idempotency_key, actor_id);
    `,
  },
  {
    version: 10,
    description: 'oversight state forgotten once it reads as none',
    sql: `
      -- The log time from which the fold reads a state value as no value (a detector window that
      -- closed, a supply that ran out); NULL: kept. The store deletes the rows the log has passed
      -- at every fold (oversight-store.ts), so the state grows with what is in flight, not with
      -- history. The fold version that writes it (oversight-settings.ts) refolds the projection.
      ALTER TABLE ov_state ADD COLUMN forget_at INTEGER;
      CREATE INDEX ov_state_forget_at ON ov_state (forget_at) WHERE forget_at IS NOT NULL;
    `,
  },
  {
    version: 11,
    description: 'signed reads\' spent nonces kept across a restart',
    sql: `
      -- Outside the log: the read nonces the service remembered when it stopped (the key id and
      -- the nonce, and until when), taken back and deleted when it starts (read-nonce-store.ts).
      CREATE TABLE read_nonces (
        nonce_key TEXT PRIMARY KEY,
        until     INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 12,
    description: 'whether the last stop handed its read nonces over',
    sql: `
      -- Outside the log: one row, written with the read nonces when the service stops and
      -- deleted with them when it starts (read-nonce-store.ts). No row at a start: the last
      -- process saved nothing (a crash, or the first start), and reads signed before the start
      -- are refused. A store upgraded from version 11 has none: its first start refuses them too.
      CREATE TABLE read_nonce_handover (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        saved_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 13,
    description: "prescription projection: the part of each record another prescription's check reads, in a column of its own",
    sql: `
      -- At every submission the check reads the patient's other live prescriptions: their
      -- institution, prescriber and items (drug code, generic name, route, days), which never
      -- change once submitted. Reading them from the whole record meant parsing a few KB per
      -- prescription each time. The column holds exactly the JSON text the store writes
      -- (prescription-store.ts: JSON.stringify of livePrescriptionFixedPart), members in this
      -- order; rows from before are filled from their records the same way.
      ALTER TABLE rx_prescriptions ADD COLUMN check_summary TEXT NOT NULL DEFAULT '';
      UPDATE rx_prescriptions SET check_summary = json_object(
        'institutionId', record ->> '$.institutionId',
        'prescriberId', record ->> '$.prescriberId',
        'items', (SELECT json_group_array(json_object('drugCode', value ->> '$.drugCode', 'genericName', value ->> '$.genericName',
                                                      'route', value ->> '$.route', 'days', value ->> '$.days'))
                    FROM json_each(record, '$.prescription.items')));
    `,
  },
  {
    version: 14,
    description: 'signed reads from clocks running ahead: the latest created recorded per key',
    sql: `
      -- Outside the log: for each key that signed a read whose created (whole seconds) was after
      -- the moment it arrived, the latest such created, written before that read was answered
      -- (read-nonce-store.ts). After a crash the start refuses the key's reads up to it: those are
      -- the reads the crashed process may have answered that the start's own time does not cover.
      -- Rows older than the timestamp window are dropped at each start.
      CREATE TABLE read_ahead_horizons (
        key_id  TEXT PRIMARY KEY,
        created INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
