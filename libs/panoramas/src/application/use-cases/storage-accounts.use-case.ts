import { Injectable } from '@nestjs/common';
import type { Quota, StorageUsage } from '../../domain/quota.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';
import { UserQuotas } from '../ports/user-quotas.port.js';

/** A user's effective quota and what they store. */
export interface StorageAccount {
  quota: Quota;
  usage: StorageUsage;
}

/** The storage accounts of users (for their profile and the admin's user list), in two queries. */
@Injectable()
export class StorageAccountsUseCase {
  constructor(
    private readonly quotas: UserQuotas,
    private readonly panoramas: PanoramaRepository,
  ) {}

  async execute(userIds: string[]): Promise<Map<string, StorageAccount>> {
    const [quotas, usage] = await Promise.all([this.quotas.forUsers(userIds), this.panoramas.storageUsage(userIds)]);
    return new Map(userIds.map((id) => [id, { quota: quotas.get(id)!, usage: usage.get(id)! }]));
  }
}
