import { type ConnectionType, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { ReadReplicas } from './read-replicas.js';

/**
 * MikroORM's PostgreSQL driver, with its choice of read replica made by ReadReplicas: a
 * `read` query goes to the replica its stale-OK scope chose, or to the primary (outside such
 * a scope, or when no replica qualifies). MikroORM's own choice is random and blind to
 * replicas that are down or behind.
 */
export function replicaRoutingDriver(replicas: ReadReplicas): typeof PostgreSqlDriver {
  return class ReplicaRoutingPostgreSqlDriver extends PostgreSqlDriver {
    override getConnection(type: ConnectionType = 'write') {
      const index = type === 'read' ? replicas.readTarget() : undefined;
      return index === undefined ? this.connection : this.replicas[index];
    }
  };
}
