/** One forward step of the schema; steps run in order, each in the transaction that records it. */
export interface PostgresMigration {
  version: number;
  description: string;
  /** The statements, with `$schema` standing for the quoted schema name. */
  sql: string;
}

/**
 * Every schema this build knows, oldest first. Append only: a released step is never edited, because databases
 * written by it exist. The tables are those of @portcullis/store-sqlite's schema 3, one per entity, keyed by
 * `key` (the row's `entityKey`); `pos` is an identity column that an upsert keeps, so `ORDER BY pos` is the
 * insertion order `load()` returns, as SQLite's rowid is there.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'entity tables, meta, change log',
    sql: `
      CREATE TABLE $schema.meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL,
        source_version INTEGER NOT NULL
      );
      INSERT INTO $schema.meta (id, revision, source_version) VALUES (1, 0, 1);

      CREATE TABLE $schema.change_log (
        revision BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        change TEXT NOT NULL,
        committed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (revision, seq)
      );

      CREATE TABLE $schema.accounts (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, system TEXT NOT NULL, name TEXT, public_access SMALLINT NOT NULL, options TEXT NOT NULL
      );
      CREATE TABLE $schema.principals (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        account_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, email TEXT, name TEXT, status TEXT NOT NULL,
        locked SMALLINT NOT NULL, projects TEXT NOT NULL, notification_opt_in SMALLINT
      );
      CREATE INDEX principals_account_id ON $schema.principals (account_id, id);
      CREATE TABLE $schema.groups (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        account_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, federated SMALLINT NOT NULL,
        created_at TEXT, created_by_id TEXT, last_modified_at TEXT, last_modified_by_id TEXT, etag TEXT
      );
      CREATE TABLE $schema.group_members (
        group_key TEXT NOT NULL, ord INTEGER NOT NULL, account_id TEXT NOT NULL, principal_id TEXT NOT NULL,
        PRIMARY KEY (group_key, ord)
      );
      CREATE INDEX group_members_principal ON $schema.group_members (account_id, principal_id);
      CREATE TABLE $schema.claim_rules (
        group_key TEXT NOT NULL, ord INTEGER NOT NULL, account_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT,
        realm_name TEXT NOT NULL, expiration BIGINT NOT NULL, conditions TEXT NOT NULL, created_at TEXT,
        last_modified_at TEXT, etag TEXT,
        PRIMARY KEY (group_key, ord)
      );
      CREATE TABLE $schema.services (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        name TEXT NOT NULL, type TEXT NOT NULL, display_name TEXT, groups TEXT NOT NULL, roles TEXT NOT NULL, third_party SMALLINT
      );
      CREATE TABLE $schema.roles (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, kind TEXT NOT NULL, account_id TEXT, name TEXT, description TEXT, actions TEXT NOT NULL,
        service_name TEXT, scope_type TEXT, admin TEXT
      );
      CREATE TABLE $schema.policies (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, account_id TEXT NOT NULL, type TEXT NOT NULL, effect TEXT NOT NULL, subject_kind TEXT NOT NULL,
        subject_id TEXT, subject_attributes TEXT, resource TEXT NOT NULL, rule TEXT, pattern TEXT, description TEXT,
        state TEXT NOT NULL, etag TEXT, created_at TEXT, created_by_id TEXT, last_modified_at TEXT,
        last_modified_by_id TEXT, last_permit_at TEXT, last_permit_frequency BIGINT
      );
      CREATE INDEX policies_subject ON $schema.policies (account_id, subject_kind, subject_id);
      CREATE TABLE $schema.policy_roles (
        policy_key TEXT NOT NULL, ord INTEGER NOT NULL, role_id TEXT NOT NULL,
        PRIMARY KEY (policy_key, ord)
      );
      CREATE INDEX policy_roles_role ON $schema.policy_roles (role_id);
      CREATE TABLE $schema.resource_groups (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, account_id TEXT NOT NULL, name TEXT, scope TEXT NOT NULL, meta TEXT
      );
      CREATE TABLE $schema.nodes (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, account_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT, parent_id TEXT
      );
      CREATE TABLE $schema.bindings (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, account_id TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
        role_id TEXT NOT NULL, node_id TEXT NOT NULL, expires_at TEXT
      );
      CREATE TABLE $schema.resources (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL, account_id TEXT NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL, projects TEXT NOT NULL,
        folders TEXT NOT NULL, zones TEXT NOT NULL, agent_id TEXT, cloud_id TEXT
      );
      CREATE TABLE $schema.memberships (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        account_id TEXT NOT NULL, principal_id TEXT NOT NULL, group_id TEXT NOT NULL, realm TEXT NOT NULL, rule_id TEXT,
        login_at TEXT NOT NULL, expires_at TEXT NOT NULL
      );
      CREATE INDEX memberships_expires_at ON $schema.memberships (expires_at);
      CREATE TABLE $schema.sso_connectors (
        key TEXT PRIMARY KEY, pos BIGINT GENERATED ALWAYS AS IDENTITY,
        account_id TEXT NOT NULL, id TEXT NOT NULL, email_domain TEXT NOT NULL, enabled SMALLINT NOT NULL,
        use_fedramp_language SMALLINT NOT NULL, verification TEXT NOT NULL, created_on TEXT, updated_on TEXT
      );
    `,
  },
  {
    version: 2,
    description: 'when and by whom group members were added; display names of catalog actions (store-sqlite schema 4)',
    sql: `
      ALTER TABLE $schema.group_members ADD COLUMN created_at TEXT;
      ALTER TABLE $schema.group_members ADD COLUMN created_by_id TEXT;
      ALTER TABLE $schema.services ADD COLUMN actions TEXT;
    `,
  },
  {
    version: 3,
    description: 'checkpoint: the whole source at one revision, dropped by any write to an entity table but a commit (store-sqlite schema 5)',
    // a commit runs with `portcullis.writing` set for its transaction only (SET LOCAL); a statement on an entity table
    // without it is a hand edit, which the checkpoint must not hide: it is dropped
    sql: `
      CREATE TABLE $schema.checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL,
        format INTEGER NOT NULL,
        body TEXT NOT NULL,
        checksum BIGINT,
        written_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE FUNCTION $schema.drop_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          DELETE FROM $schema.checkpoint;
          RETURN NULL;
        END
      $body$;
      ${[
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
      ]
        .map(
          (t) => `CREATE TRIGGER ${t}_drops_checkpoint AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON $schema.${t}
            FOR EACH STATEMENT WHEN (current_setting('portcullis.writing', true) IS DISTINCT FROM 'on')
            EXECUTE FUNCTION $schema.drop_checkpoint();`,
        )
        .join('\n      ')}
    `,
  },
  {
    version: 4,
    description: 'checkpoint lines: the checkpoint text (format 3) as a row per line, which a load parses as the next arrives',
    // the server sends the rows of a table one after another, where splitting one 30 MB value made the client wait
    // ~130 ms for the first line; a checkpoint of the old format cannot be read by this build: it goes
    sql: `
      CREATE TABLE $schema.checkpoint_lines (
        n INTEGER PRIMARY KEY,
        line TEXT NOT NULL
      );
      DELETE FROM $schema.checkpoint;
      ALTER TABLE $schema.checkpoint DROP COLUMN body;
      CREATE OR REPLACE FUNCTION $schema.drop_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          DELETE FROM $schema.checkpoint;
          DELETE FROM $schema.checkpoint_lines;
          RETURN NULL;
        END
      $body$;
    `,
  },
  {
    version: 5,
    description: 'history digests: one per revision, chained over the change log text (store-sqlite schema 6)',
    // the digests of the revisions already logged, computed here as the stores compute them on commit
    // (store-kit nextHistoryDigest): sha256 of the previous digest's 32 bytes, then per change of the revision, in
    // order, its UTF-8 length as 4 bytes big-endian (int4send) and its UTF-8 bytes; digest(0) is 32 zero bytes
    sql: `
      CREATE TABLE $schema.history (
        revision BIGINT PRIMARY KEY,
        digest TEXT NOT NULL
      );
      DO $fill$
        DECLARE
          d BYTEA := decode(repeat('00', 32), 'hex');
          head BIGINT;
        BEGIN
          SELECT revision INTO head FROM $schema.meta WHERE id = 1;
          FOR r IN 1..head LOOP
            d := sha256(d || coalesce(
              (SELECT string_agg(int4send(octet_length(convert_to(change, 'UTF8'))) || convert_to(change, 'UTF8'), ''::bytea ORDER BY seq)
                 FROM $schema.change_log WHERE revision = r),
              ''::bytea));
            INSERT INTO $schema.history (revision, digest) VALUES (r, encode(d, 'hex'));
          END LOOP;
        END
      $fill$;
    `,
  },
];

/** The schema version this build writes. */
export const POSTGRES_SCHEMA_VERSION: number = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;
