import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '#config';
import { ChangeFeed, type ChangeChannel, type ChangeHandler } from '#shared-kernel';
import { DatabaseOutage } from './database-outage.js';

/** PostgreSQL NOTIFY channels (written by the triggers of the ChangeFeed migration). */
export const CHANGE_CHANNELS: Record<ChangeChannel, string> = {
  users: 'tessera_users',
  tilesets: 'tessera_tilesets',
  renditions: 'tessera_renditions',
  shares: 'tessera_shares',
  locks: 'tessera_locks',
  webhooks: 'tessera_webhooks',
  collections: 'tessera_collections',
};

/**
 * ChangeFeed on PostgreSQL LISTEN/NOTIFY: one dedicated connection per process, fanned out
 * in memory to every subscriber. When the connection drops it reconnects with backoff and
 * tells every subscriber to resynchronise (notifications sent meanwhile are lost); a
 * successful reconnect is also how the process learns that the database is back.
 */
@Injectable()
export class PgChangeFeed extends ChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgChangeFeed.name);
  private readonly handlers = new Map<ChangeChannel, Set<ChangeHandler>>();
  private readonly byChannelName = new Map(Object.entries(CHANGE_CHANNELS).map(([k, v]) => [v, k as ChangeChannel]));
  private client?: pg.Client;
  private reconnecting = false;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly outage: DatabaseOutage,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.client = await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  subscribe(channel: ChangeChannel, handler: ChangeHandler): () => void {
    const set = this.handlers.get(channel) ?? new Set<ChangeHandler>();
    set.add(handler);
    this.handlers.set(channel, set);
    return () => set.delete(handler);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'tessera-changes',
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    client.on('notification', ({ channel, payload }) => {
      const name = this.byChannelName.get(channel);
      if (name) this.dispatch(name, payload);
    });
    const lost = (error?: Error) => this.reconnect(client, error);
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of Object.values(CHANGE_CHANNELS)) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private reconnect(client: pg.Client, error?: Error): void {
    if (this.stopped || this.client !== client || this.reconnecting) return;
    this.reconnecting = true;
    this.client = undefined;
    this.outage.failed(error ?? new Error('change feed connection closed'));
    void (async () => {
      for (let delayMs = 250; !this.stopped; delayMs = Math.min(delayMs * 2, 5_000)) {
        await new Promise((done) => setTimeout(done, delayMs));
        try {
          this.client = await this.connect();
          this.reconnecting = false;
          this.outage.recovered();
          for (const channel of this.handlers.keys()) this.dispatch(channel, undefined);
          return;
        } catch (retryError) {
          this.outage.failed(retryError);
        }
      }
    })();
  }

  private dispatch(channel: ChangeChannel, id: string | undefined): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(id);
      } catch (error) {
        this.logger.error({ err: error }, `A ${channel} change handler failed`);
      }
    }
  }
}
