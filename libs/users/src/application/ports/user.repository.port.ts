import type { Page, PageRequest } from '#shared-kernel';
import type { AuthState } from '../../domain/auth-state.js';
import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';

export interface UserChanges {
  role?: Role;
  quotaBytes?: number | null;
  quotaPanoramas?: number | null;
}

export abstract class UserRepository {
  abstract findById(id: string): Promise<User | null>;
  abstract findByEmail(normalisedEmail: string): Promise<User | null>;
  /** Inserts a new user; throws EmailAlreadyRegisteredError when the email is taken. */
  abstract insert(user: User): Promise<void>;
  abstract list(page: PageRequest): Promise<Page<User>>;
  abstract countByRole(role: Role): Promise<number>;
  /**
   * Changes a user's role and/or quotas. Demoting an admin only happens while another admin
   * remains, checked in the same transaction, so two concurrent demotions cannot leave none.
   * Returns false when the user does not exist; throws LastAdminError.
   */
  abstract update(id: string, changes: UserChanges, at: Date): Promise<boolean>;
  /**
   * Replaces the password hash and refuses access tokens issued before `at` (whoever had
   * the old password is signed out); false when the user does not exist.
   */
  abstract setPasswordHash(id: string, passwordHash: string, at: Date): Promise<boolean>;
  /** The user's AuthState (sessions revoked after `revokedSince`), or null if there is no such user. */
  abstract authState(id: string, revokedSince: Date): Promise<AuthState | null>;
  /** Deletes a user and their sessions; same last-admin rule as updateRole. */
  abstract delete(id: string): Promise<boolean>;
}
