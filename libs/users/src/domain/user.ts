import type { Role } from './role.js';

export interface UserProps {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  /** Per-user quota overrides; null = the configured default. */
  quotaBytes: number | null;
  quotaPanoramas: number | null;
  /** Access tokens issued before this are refused (set by a password reset); null: none. */
  tokensValidAfter?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A person who can sign in. Email is stored normalised (trimmed, lower-case). */
export class User {
  id!: string;
  email!: string;
  passwordHash!: string;
  role!: Role;
  quotaBytes!: number | null;
  quotaPanoramas!: number | null;
  tokensValidAfter!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;

  constructor(props: UserProps) {
    Object.assign(this, { tokensValidAfter: null, ...props });
  }

  static normaliseEmail(email: string): string {
    return email.trim().toLowerCase();
  }
}
