/**
 * One refresh token of a login session ("family"). Tokens are opaque random strings: only
 * their SHA-256 is stored. Each use rotates the token; presenting a token that was already
 * rotated means it leaked, and the whole family is revoked.
 */
export interface RefreshTokenProps {
  id: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export class RefreshToken {
  id!: string;
  userId!: string;
  familyId!: string;
  tokenHash!: string;
  createdAt!: Date;
  expiresAt!: Date;
  usedAt!: Date | null;
  revokedAt!: Date | null;

  constructor(props: RefreshTokenProps) {
    Object.assign(this, props);
  }

  isExpired(now: Date): boolean {
    return this.expiresAt.getTime() <= now.getTime();
  }
}
