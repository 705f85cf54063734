import pg from 'pg';
import { StoreError, type FeedListener, type StoreFeed } from '@portcullis/engine';
import { translateError } from './translate-error.js';

/** How the feed retries a lost connection (exponential backoff with jitter, between these bounds) and checks a live one. */
export interface Backoff {
  minMs: number;
  maxMs: number;
  /** A `SELECT 1` on the LISTEN connection this often; no answer within the same time counts as a lost connection. */
  heartbeatMs: number;
}

/**
 * A LISTEN connection of its own (a pooled one would be handed to other queries) that passes each announced
 * revision to the listener. When the connection drops it says so, waits (backoff, doubling up to `maxMs`) and
 * connects again; it never replays what it missed: the listener catches up from the change log on reconnect.
 */
export class ChangeFeed implements StoreFeed {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #listener: FeedListener;
  readonly #backoff: Backoff;
  readonly #onClose: () => void;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;

  constructor(config: pg.ClientConfig, channel: string, listener: FeedListener, backoff: Backoff, onClose: () => void) {
    this.#config = config;
    this.#channel = channel;
    this.#listener = listener;
    this.#backoff = backoff;
    this.#onClose = onClose;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    const client = new pg.Client(this.#config);
    this.#client = client;
    client.on('error', (e) => this.#lost(client, e));
    client.on('end', () => this.#lost(client, new StoreError('unavailable', 'change feed: the connection ended')));
    client.on('notification', (n) => {
      if (n.channel !== this.#channel || client !== this.#client) return;
      // the store announces `bigint::text`: digits only; anything else on the channel (a padded, signed or
      // fractional number, text) is not one of its announcements
      const payload = n.payload ?? '';
      if (!/^[0-9]{1,16}$/.test(payload)) return;
      const revision = Number(payload);
      if (Number.isSafeInteger(revision)) this.#listener.onRevision(revision);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
    } catch (e) {
      this.#lost(client, e);
      return;
    }
    if (this.#closed || client !== this.#client) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#attempt = 0;
    this.#listener.onStatus({ connected: true });
    this.#beat(client);
  }

  /**
   * A connection can die without a word (a network partition, a host gone): no error, no end, and no more
   * notifications. So the feed asks the server regularly; silence for `heartbeatMs` drops the connection.
   */
  #beat(client: pg.Client): void {
    const { heartbeatMs } = this.#backoff;
    this.#heartbeat = setTimeout(() => {
      if (client !== this.#client || this.#closed) return;
      const silent = setTimeout(
        () => this.#lost(client, new StoreError('unavailable', `change feed: no answer from the server in ${heartbeatMs} ms`)),
        heartbeatMs,
      );
      client.query('SELECT 1').then(
        () => {
          clearTimeout(silent);
          this.#beat(client);
        },
        (e: unknown) => {
          clearTimeout(silent);
          this.#lost(client, e);
        },
      );
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  #lost(client: pg.Client, e: unknown): void {
    if (client !== this.#client || this.#closed) return;
    this.#client = undefined;
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    // a silent connection may never answer a polite end: the socket is destroyed
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    void client.end().catch(() => undefined);
    const error = translateError(e, 'change feed');
    this.#listener.onStatus({ connected: false, error: error instanceof StoreError ? error : new StoreError('io_error', error.message, { cause: e }) });
    const { minMs, maxMs } = this.#backoff;
    const delay = Math.min(maxMs, minMs * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    // the feed must not keep a process alive on its own while it waits
    this.#timer.unref();
  }

  /** Stops listening; harmless twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    this.#onClose();
    if (client) {
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
