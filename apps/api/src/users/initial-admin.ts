import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EnsureInitialAdminUseCase } from '#users';

/**
 * Makes sure an admin exists once the app has started (see EnsureInitialAdminUseCase), and
 * shows a generated password once, as a block of its own (printBanner, after listening).
 */
@Injectable()
export class InitialAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(InitialAdmin.name);
  private generated?: { email: string; password: string };

  constructor(private readonly ensureInitialAdmin: EnsureInitialAdminUseCase) {}

  async onApplicationBootstrap(): Promise<void> {
    const outcome = await this.ensureInitialAdmin.execute();
    switch (outcome.action) {
      case 'promoted':
        this.logger.log(`No admin existed: promoted ${outcome.email} to admin.`);
        break;
      case 'created':
        if (outcome.generatedPassword) {
          this.generated = { email: outcome.email, password: outcome.generatedPassword };
          this.logger.warn(
            `No admin existed: created ${outcome.email} with a generated password, printed once on stderr.`,
          );
        } else {
          this.logger.log(`No admin existed: created ${outcome.email} with ADMIN_PASSWORD.`);
        }
        break;
      case 'password-not-applied':
        this.logger.warn(
          `ADMIN_PASSWORD is set, but an admin already exists, so it was not applied (it only sets the first ` +
            `admin's password). To set a password now: npm run admin -- reset-password ${outcome.email}`,
        );
        break;
      case 'none':
        break;
    }
  }

  /** The generated first-admin credentials as one readable block on stderr (once). */
  printBanner(url: string): void {
    if (!this.generated) return;
    const { email, password } = this.generated;
    this.generated = undefined;
    const lines = [
      'Tessera: first start. An admin account was created:',
      '',
      `  email     ${email}`,
      `  password  ${password}`,
      '',
      'This password is shown only this once.',
      `Sign in to the web app at ${url}/app, or in Swagger UI at ${url}/docs.`,
      `Lost it? npm run admin -- reset-password ${email}`,
    ];
    const width = Math.max(...lines.map((line) => line.length));
    const rule = `+${'-'.repeat(width + 2)}+`;
    process.stderr.write(`\n${rule}\n${lines.map((line) => `| ${line.padEnd(width)} |`).join('\n')}\n${rule}\n\n`);
  }
}
