/**
 * Operator recovery, for when the generated first password is lost:
 *
 *   npm run admin -- reset-password <email> [--password-stdin]
 *   npm run admin -- create-admin <email> [--password-stdin]
 *   npm run admin -- share-keys list | rotate | retire <id>
 *
 * Without --password-stdin a strong password is generated and printed once. Works on the
 * configured database, embedded or external (sharing the embedded server of a running API).
 */
import '#supported-node';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, createBootstrapLogger, loadConfigOrExit, loadEnvFile } from '#config';
import { checkRenditionsSettings } from '#renditions';
import {
  addShareKey,
  migrateDatabase,
  openDatabaseOrExit,
  PersistenceModule,
  retireShareKey,
  storedShareKeys,
} from '#persistence';
import {
  CreateAdminUseCase,
  isAcceptablePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  ResetPasswordUseCase,
  UserNotFoundError,
  UsersModule,
} from '#users';

const USAGE = `Usage:
  npm run admin -- reset-password <email> [--password-stdin]   new password; ends the user's sessions
  npm run admin -- create-admin <email> [--password-stdin]     new admin, or promote an existing user
  npm run admin -- share-keys list                             the share-link keys kept in the database
  npm run admin -- share-keys rotate                           a new key signs from now on; older ones still verify
  npm run admin -- share-keys retire <id>                      links signed with <id> stop working

Without --password-stdin a strong password is generated and printed once.`;

const [command, email, ...flags] = process.argv.slice(2);
const shareKeys =
  command === 'share-keys' &&
  ((['list', 'rotate'].includes(email ?? '') && flags.length === 0) || (email === 'retire' && flags.length === 1));
if (
  !shareKeys &&
  (!command ||
    !email ||
    !['reset-password', 'create-admin'].includes(command) ||
    flags.some((f) => f !== '--password-stdin'))
) {
  console.error(USAGE);
  process.exit(2);
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!isAcceptablePassword(password)) {
    console.error(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`);
    process.exit(2);
  }
  return password;
}

loadEnvFile();
// Only warnings and errors: the output of this command is for a person.
const settings = AppConfig.with(loadConfigOrExit(process.env, [checkRenditionsSettings]), { LOG_LEVEL: 'warn' });
const password = flags.includes('--password-stdin') ? await readPasswordFromStdin() : undefined;
const database = await openDatabaseOrExit(settings, createBootstrapLogger(settings));
const config = database.config;

@Module({ imports: [ConfigModule.forRoot(config), PersistenceModule, UsersModule] })
class AdminCliModule {}

/** `share-keys`: the keys kept in the database (SHARE_KEYS, when set, is used instead). */
async function manageShareKeys(action: string, id: string | undefined): Promise<number> {
  if (config.SHARE_KEYS.length > 0) {
    console.error('SHARE_KEYS is set: the API signs with those keys; rotate them there (see .env.example).');
    return 1;
  }
  if (action === 'rotate') {
    console.log(`New share-link key ${await addShareKey(config.DATABASE_URL)}: it signs new links within a minute;`);
    console.log('links signed with older keys keep working until you retire those keys.');
  } else if (action === 'retire') {
    if (!(await retireShareKey(config.DATABASE_URL, id!))) {
      console.error(`No active share-link key ${id}, or it is the last one (rotate first).`);
      return 1;
    }
    console.log(`Key ${id} retired: links signed with it stop working within a minute.`);
  } else {
    const keys = await storedShareKeys(config.DATABASE_URL);
    if (keys.length === 0) console.log('No share-link key yet (the API makes one when it starts).');
    const signer = keys.find((k) => !k.retiredAt);
    for (const k of keys) {
      const state = k.retiredAt
        ? `retired ${k.retiredAt.toISOString()}`
        : k === signer
          ? 'signs new links'
          : 'verifies';
      console.log(`${k.id}\tcreated ${k.createdAt.toISOString()}\t${state}`);
    }
  }
  return 0;
}

let exitCode = 0;
try {
  await migrateDatabase(config);
  if (shareKeys) {
    exitCode = await manageShareKeys(email, flags[0]);
    await database.close();
    process.exit(exitCode);
  }
  const app = await NestFactory.createApplicationContext(AdminCliModule, { logger: ['error', 'warn'] });
  try {
    if (command === 'reset-password') {
      const { user, generatedPassword } = await app.get(ResetPasswordUseCase).execute({ email, password });
      console.log(`Password of ${user.email} reset; every session of this user has been ended.`);
      if (generatedPassword) console.log(`New password (shown only this once): ${generatedPassword}`);
    } else {
      const outcome = await app.get(CreateAdminUseCase).execute({ email, password });
      if (outcome.action === 'created') {
        console.log(`Created admin ${outcome.user.email}.`);
        if (outcome.generatedPassword) console.log(`Password (shown only this once): ${outcome.generatedPassword}`);
      } else if (outcome.action === 'promoted') {
        console.log(`${outcome.user.email} already had an account: it is now an admin (password unchanged).`);
      } else {
        console.log(`${outcome.user.email} is already an admin; nothing changed.`);
      }
    }
  } finally {
    await app.close();
  }
} catch (error) {
  if (!(error instanceof UserNotFoundError)) throw error;
  console.error(`No user with the email address ${email}. To create one: npm run admin -- create-admin ${email}`);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);
