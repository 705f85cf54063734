import type Database from 'better-sqlite3';
import { GENESIS_DIGEST, nextHistoryDigest } from '@portcullis/engine/store-kit';

/** The tables schema 5 watches: every entity table and child table as of that schema (see the checkpoint step). */
const WATCHED_BY_5 = [
  'accounts',
  'principals',
  'groups',
  'group_members',
  'claim_rules',
  'services',
  'roles',
  'policies',
  'policy_roles',
  'resource_groups',
  'nodes',
  'bindings',
  'resources',
  'memberships',
  'sso_connectors',
];

/** One forward step of the schema; steps run in order, each in the transaction that records it. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: for what SQL alone cannot compute (a sha256). */
  run?: (db: Database.Database) => void;
}

/**
 * Schema 6's history digests of the revisions a store of an older schema logged: the chain over the change log as it
 * is, revision by revision from 1 to the store's (a revision without rows, an empty commit, hashes no text). A store
 * that never had its log edited gets exactly the digests a store of schema 6 would have written, so an engine that
 * follows it across the upgrade, or a copy of it in another store, agrees with them.
 */
function fillHistory(db: Database.Database): void {
  const head = db.prepare('SELECT revision FROM meta WHERE id = 1').pluck().get() as number;
  const rows = db.prepare('SELECT revision, change FROM change_log WHERE revision <= ? ORDER BY revision, seq').raw().iterate(head) as IterableIterator<[number, string]>;
  // the digests are kept until the log is read (a statement cannot run while another iterates): 64 characters each
  const digests: string[] = [];
  let digest = GENESIS_DIGEST;
  let texts: string[] = [];
  const close = (upTo: number): void => {
    while (digests.length + 1 < upTo) {
      digest = nextHistoryDigest(digest, texts);
      texts = [];
      digests.push(digest);
    }
  };
  for (const [r, change] of rows) {
    close(r);
    texts.push(change);
  }
  close(head + 1);
  const insert = db.prepare('INSERT INTO history (revision, digest) VALUES (?, ?)');
  digests.forEach((d, i) => insert.run(i + 1, d));
}

/**
 * Every schema this build knows, oldest first. Append only: a released step is never edited, because files
 * written by it exist. Entity rows carry `key` (the `entityKey` of the row) so that a delete by key and an
 * upsert hit exactly the row `applyChanges` would; rowid order is insertion order, which `load()` keeps.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'entity tables, meta, change log',
    sql: `
      CREATE TABLE meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL,
        source_version INTEGER NOT NULL
      );
      INSERT INTO meta (id, revision, source_version) VALUES (1, 0, 1);

      CREATE TABLE change_log (
        revision INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        change TEXT NOT NULL,
        PRIMARY KEY (revision, seq)
      ) WITHOUT ROWID;

      CREATE TABLE accounts (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        system TEXT NOT NULL,
        name TEXT,
        public_access INTEGER NOT NULL,
        options TEXT NOT NULL
      );

      CREATE TABLE principals (
        key TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        email TEXT,
        name TEXT,
        status TEXT NOT NULL,
        locked INTEGER NOT NULL,
        projects TEXT NOT NULL
      );
      CREATE INDEX principals_account_id ON principals (account_id, id);
      CREATE INDEX principals_email ON principals (email) WHERE email IS NOT NULL;

      CREATE TABLE groups (
        key TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        federated INTEGER NOT NULL,
        created_at TEXT,
        created_by_id TEXT,
        last_modified_at TEXT,
        last_modified_by_id TEXT,
        etag TEXT
      );
      CREATE INDEX groups_account_id ON groups (account_id, id);

      CREATE TABLE group_members (
        group_key TEXT NOT NULL,
        ord INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        PRIMARY KEY (group_key, ord)
      ) WITHOUT ROWID;
      CREATE INDEX group_members_principal ON group_members (account_id, principal_id);

      CREATE TABLE claim_rules (
        group_key TEXT NOT NULL,
        ord INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT,
        realm_name TEXT NOT NULL,
        expiration INTEGER NOT NULL,
        conditions TEXT NOT NULL,
        created_at TEXT,
        last_modified_at TEXT,
        etag TEXT,
        PRIMARY KEY (group_key, ord)
      ) WITHOUT ROWID;
      CREATE INDEX claim_rules_realm ON claim_rules (account_id, realm_name);

      CREATE TABLE services (
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        display_name TEXT,
        groups TEXT NOT NULL,
        roles TEXT NOT NULL
      );

      CREATE TABLE roles (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        account_id TEXT,
        name TEXT,
        description TEXT,
        actions TEXT NOT NULL,
        service_name TEXT,
        scope_type TEXT,
        admin TEXT
      );
      CREATE INDEX roles_account_id ON roles (account_id) WHERE account_id IS NOT NULL;

      CREATE TABLE policies (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        type TEXT NOT NULL,
        effect TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT,
        subject_attributes TEXT,
        resource TEXT NOT NULL,
        rule TEXT,
        pattern TEXT,
        description TEXT,
        state TEXT NOT NULL,
        etag TEXT,
        created_at TEXT,
        created_by_id TEXT,
        last_modified_at TEXT,
        last_modified_by_id TEXT,
        last_permit_at TEXT,
        last_permit_frequency INTEGER
      );
      CREATE INDEX policies_subject ON policies (account_id, subject_kind, subject_id);

      CREATE TABLE policy_roles (
        policy_key TEXT NOT NULL,
        ord INTEGER NOT NULL,
        role_id TEXT NOT NULL,
        PRIMARY KEY (policy_key, ord)
      ) WITHOUT ROWID;

      CREATE TABLE resource_groups (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        name TEXT,
        scope TEXT NOT NULL,
        meta TEXT
      );
      CREATE INDEX resource_groups_account_id ON resource_groups (account_id);

      CREATE TABLE nodes (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT,
        parent_id TEXT
      );
      CREATE INDEX nodes_parent ON nodes (account_id, parent_id);

      CREATE TABLE bindings (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        role_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        expires_at TEXT
      );
      CREATE INDEX bindings_subject ON bindings (account_id, subject_kind, subject_id);
      CREATE INDEX bindings_node ON bindings (node_id);

      CREATE TABLE resources (
        key TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        attributes TEXT NOT NULL,
        tags TEXT NOT NULL,
        projects TEXT NOT NULL,
        folders TEXT NOT NULL,
        zones TEXT NOT NULL,
        agent_id TEXT,
        cloud_id TEXT
      );
      CREATE INDEX resources_account_id ON resources (account_id);

      CREATE TABLE memberships (
        key TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        realm TEXT NOT NULL,
        rule_id TEXT,
        login_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX memberships_principal ON memberships (account_id, principal_id);
      CREATE INDEX memberships_expires_at ON memberships (expires_at);
    `,
  },
  {
    version: 2,
    description: 'commit time in the change log; policies by role',
    sql: `
      ALTER TABLE change_log ADD COLUMN committed_at INTEGER;
      CREATE INDEX policy_roles_role ON policy_roles (role_id);
    `,
  },
  {
    version: 3,
    description: 'sso connectors; third-party services; notification opt-in of principals',
    sql: `
      CREATE TABLE sso_connectors (
        key TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        email_domain TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        use_fedramp_language INTEGER NOT NULL,
        verification TEXT NOT NULL,
        created_on TEXT,
        updated_on TEXT
      );
      CREATE INDEX sso_connectors_account_id ON sso_connectors (account_id, email_domain);
      ALTER TABLE services ADD COLUMN third_party INTEGER;
      ALTER TABLE principals ADD COLUMN notification_opt_in INTEGER;
    `,
  },
  {
    version: 4,
    description: 'when and by whom group members were added; display names of catalog actions',
    sql: `
      ALTER TABLE group_members ADD COLUMN created_at TEXT;
      ALTER TABLE group_members ADD COLUMN created_by_id TEXT;
      ALTER TABLE services ADD COLUMN actions TEXT;
    `,
  },
  {
    version: 5,
    description: 'checkpoint: the whole source at one revision, dropped by any write to an entity table but a commit',
    // a commit sets meta.writing for the length of its transaction (no other connection ever sees it set); a write
    // to an entity table without it is a hand edit, which the checkpoint must not hide: it is dropped
    sql: `
      CREATE TABLE checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL,
        format INTEGER NOT NULL,
        body TEXT NOT NULL,
        checksum INTEGER,
        written_at INTEGER NOT NULL
      );
      ALTER TABLE meta ADD COLUMN writing INTEGER NOT NULL DEFAULT 0;
      ${WATCHED_BY_5.flatMap((t) =>
        ['INSERT', 'UPDATE', 'DELETE'].map(
          (op) => `CREATE TRIGGER ${t}_${op.toLowerCase()}_drops_checkpoint AFTER ${op} ON ${t}
            WHEN (SELECT writing FROM meta WHERE id = 1) = 0 BEGIN DELETE FROM checkpoint; END;`,
        ),
      ).join('\n      ')}
    `,
  },
  {
    version: 6,
    description: 'history digests: one per revision, chained over the change log text, so a follower tells another history at any revision',
    sql: `
      CREATE TABLE history (
        revision INTEGER PRIMARY KEY,
        digest TEXT NOT NULL
      );
    `,
    run: fillHistory,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The schema version of an open database: 0 for an empty file. */
export function readSchemaVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * The `application_id` a Portcullis store carries in its SQLite header ('PTCU'), so a file is known as ours by one
 * read (files of builds before it are known by their tables).
 */
export const APPLICATION_ID = 0x50544355;

/**
 * Brings the schema up to `target` (default: this build's) inside one IMMEDIATE transaction, so two processes
 * opening an old file at once migrate it once, and marks the file as a Portcullis store in its header. Returns the
 * version before migrating.
 */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): number {
  return db
    .transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
      if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
      const from = readSchemaVersion(db);
      for (const m of MIGRATIONS) {
        if (m.version <= from || m.version > target) continue;
        db.exec(m.sql);
        m.run?.(db);
        db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.description,
          new Date().toISOString(),
        );
      }
      return from;
    })
    .immediate();
}
