/**
 * What changed, as every process hears it. The database announces each change to these
 * records (triggers, so that no code path can forget to), with the record's id as payload:
 * - `users`: a user changed or was deleted, a session was revoked (payload: the user id);
 * - `tilesets`: a tile set changed (status, progress) or was deleted (payload: its id);
 * - `renditions`: a rendition changed or was deleted (payload: its id);
 * - `shares`: a listed share link was revoked (payload: `{its id} {its expiry, Unix seconds}`);
 * - `locks`: someone waits for a shared lock and asks its holder to let go (payload: the key);
 * - `webhooks`: events were recorded for webhooks (no payload): dispatchers wake up;
 * - `collections`: a collection's membership or a member's derived image changed (payload: its id).
 */
export type ChangeChannel = 'users' | 'tilesets' | 'renditions' | 'shares' | 'locks' | 'webhooks' | 'collections';

/**
 * A handler gets the id of what changed, or `undefined` after the feed reconnected: changes
 * may have been missed meanwhile, so anything cached from that channel should be dropped.
 */
export type ChangeHandler = (id: string | undefined) => void;

export abstract class ChangeFeed {
  /** Calls `handler` for every change on `channel`, from now on; returns the unsubscribe. */
  abstract subscribe(channel: ChangeChannel, handler: ChangeHandler): () => void;
}
