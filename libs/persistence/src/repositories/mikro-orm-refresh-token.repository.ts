import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RefreshToken, RefreshTokenRepository } from '#users';

@Injectable()
export class MikroOrmRefreshTokenRepository extends RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  async insert(token: RefreshToken): Promise<void> {
    await this.em.fork().insert(RefreshToken, { ...token });
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.em.fork().findOne(RefreshToken, { tokenHash });
  }

  rotate(currentId: string, next: RefreshToken, at: Date): Promise<boolean> {
    return this.em.fork().transactional(async (em) => {
      // The conditional update is the lock: only one concurrent caller can flip usedAt.
      const claimed = await em.nativeUpdate(
        RefreshToken,
        { id: currentId, usedAt: null, revokedAt: null },
        { usedAt: at },
      );
      if (claimed !== 1) return false;
      await em.insert(RefreshToken, { ...next });
      return true;
    });
  }

  revokeFamily(familyId: string, at: Date): Promise<number> {
    return this.em.fork().nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: at });
  }

  revokeAllOfUser(userId: string, at: Date): Promise<number> {
    return this.em.fork().nativeUpdate(RefreshToken, { userId, revokedAt: null }, { revokedAt: at });
  }
}
