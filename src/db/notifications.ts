import type { Client as PgClient } from 'pg';

/** What a follower of a channel hears (see Database.listen). */
export interface NotificationListener {
  notified(payload: string): void;
  interrupted(): void;
  listening(): void;
}

/** Hands a notification to everyone following its channel. */
export function deliver(
  listeners: ReadonlyMap<string, NotificationListener[]>,
  message: { channel: string; payload?: string | undefined },
): void {
  for (const listener of listeners.get(message.channel) ?? [])
    listener.notified(message.payload ?? '');
}

/** How the listening connection names itself in pg_stat_activity. */
export const listeningApplication = 'khomoun listen';

/**
 * One connection of its own that LISTENs on every followed channel (a pooled one would be handed
 * to queries), reconnecting after it drops: a second after the drop, then every 5 seconds while
 * the server is away. Listeners hear `interrupted` at a drop and `listening` once it is back.
 */
export function followNotifications(
  connect: () => PgClient,
  listeners: ReadonlyMap<string, NotificationListener[]>,
) {
  let client: PgClient | undefined;
  let connecting: Promise<PgClient> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const everyone = () => [...listeners.values()].flat();
  const open = async () => {
    const next = connect();
    next.on('notification', (message) => deliver(listeners, message));
    next.on('error', () => {}); // 'end' follows, and is where the drop is handled
    next.on('end', () => {
      if (client !== next || stopped) return;
      client = undefined;
      for (const listener of everyone()) listener.interrupted();
      retry = setTimeout(reopen, 1_000);
    });
    try {
      await next.connect();
      // Channels followed while this runs are iterated too (a Map visits what is added to it).
      for (const channel of listeners.keys()) await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end();
      throw new Error('the database is closed');
    }
    client = next;
    return next;
  };
  const connected = () =>
    (connecting ??= open()
      .then((next) => {
        for (const listener of everyone()) listener.listening();
        return next;
      })
      .finally(() => (connecting = undefined)));
  const reopen = () => {
    retry = undefined;
    if (stopped) return;
    connected().catch(() => {
      if (!stopped) retry = setTimeout(reopen, 5_000);
    });
  };
  return {
    async follow(channel: string, listener: NotificationListener) {
      if (client) {
        await client.query(`LISTEN ${channel}`);
        listener.listening();
        return;
      }
      clearTimeout(retry);
      await connected();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
