import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '#config';
import { type Quota, UserQuotas } from '#panoramas';
import { User } from '#users';
import { ReadReplicas } from '../read-replicas/read-replicas.js';

/** A user's quota override from `users`, else the configured default. */
@Injectable()
export class MikroOrmUserQuotas extends UserQuotas {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly replicas: ReadReplicas,
  ) {
    super();
  }

  async forUser(userId: string): Promise<Quota> {
    const user = await this.em.fork().findOne(User, { id: userId }, { fields: ['quotaBytes', 'quotaPanoramas'] });
    return this.effective(user);
  }

  async forUsers(userIds: string[]): Promise<Map<string, Quota>> {
    const users =
      userIds.length === 0
        ? []
        : await this.replicas.read(() =>
            this.em
              .fork()
              .find(
                User,
                { id: { $in: userIds } },
                { fields: ['id', 'quotaBytes', 'quotaPanoramas'], connectionType: 'read' },
              ),
          );
    const byId = new Map(users.map((u) => [u.id, u]));
    return new Map(userIds.map((id) => [id, this.effective(byId.get(id))]));
  }

  private effective(user: Pick<User, 'quotaBytes' | 'quotaPanoramas'> | null | undefined): Quota {
    return {
      maxBytes: user?.quotaBytes ?? this.config.QUOTA_BYTES_PER_USER,
      maxPanoramas: user?.quotaPanoramas ?? this.config.QUOTA_PANORAMAS_PER_USER,
    };
  }
}
