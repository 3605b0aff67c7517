import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EnsureInitialAdminUseCase } from '#users';

/** Makes sure an admin exists once the app has started (see EnsureInitialAdminUseCase). */
@Injectable()
export class InitialAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(InitialAdmin.name);

  constructor(private readonly ensureInitialAdmin: EnsureInitialAdminUseCase) {}

  async onApplicationBootstrap(): Promise<void> {
    const outcome = await this.ensureInitialAdmin.execute();
    if (outcome.action === 'promoted') this.logger.log(`No admin existed: promoted ${outcome.email} to admin.`);
    if (outcome.action === 'created' && outcome.generatedPassword) {
      this.logger.warn(
        `No admin existed: created ${outcome.email} with the generated password "${outcome.generatedPassword}". ` +
          'It is shown only this once; set ADMIN_PASSWORD to choose it yourself.',
      );
    } else if (outcome.action === 'created') {
      this.logger.log(`No admin existed: created ${outcome.email} with ADMIN_PASSWORD.`);
    }
  }
}
