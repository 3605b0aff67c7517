/**
 * npm run integrity [-- --tile-set <id> | --panorama <id>] [--repair recut|fail]
 *
 * Verifies stored objects against their recorded size and SHA-256 (everything by default)
 * and prints each damaged or missing object by its key. Exit code 0: intact; 1: damage found.
 */
import '#supported-node';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, createBootstrapLogger, loadConfigOrExit, loadEnvFile, MetricsModule } from '#config';
import { checkRenditionsSettings } from '#renditions';
import { ImagingModule } from '#imaging';
import { CheckFullIntegrityUseCase, WorkflowsModule } from '#workflows';
import { openDatabaseOrExit, PersistenceModule } from '#persistence';
import { QueueModule } from '#queue';
import { StorageModule } from '#storage';

const USAGE = 'Usage: npm run integrity [-- --tile-set <id> | --panorama <id>] [--repair recut|fail]';
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const known = new Set(['--tile-set', '--panorama', '--repair']);
const repair = option('--repair');
if (
  args.some((arg, i) => i % 2 === 0 && !known.has(arg)) ||
  args.length % 2 !== 0 ||
  (repair !== undefined && repair !== 'recut' && repair !== 'fail')
) {
  console.error(USAGE);
  process.exit(2);
}

loadEnvFile();
const settings = AppConfig.with(loadConfigOrExit(process.env, [checkRenditionsSettings]), { LOG_LEVEL: 'warn' });
const database = await openDatabaseOrExit(settings, createBootstrapLogger(settings));
const config = database.config;

@Module({
  imports: [
    ConfigModule.forRoot(config),
    MetricsModule,
    PersistenceModule,
    StorageModule,
    QueueModule,
    ImagingModule,
    WorkflowsModule,
  ],
})
class IntegrityCliModule {}

let exitCode: number;
const app = await NestFactory.createApplicationContext(IntegrityCliModule, { logger: ['error', 'warn'] });
try {
  await app.init();
  const report = await app
    .get(CheckFullIntegrityUseCase)
    .execute({ tileSetId: option('--tile-set'), panoramaId: option('--panorama') }, repair);
  for (const damage of report.damaged) {
    const found = damage.found ? ` (found ${damage.found.bytes} bytes, sha256 ${damage.found.sha256})` : '';
    console.log(`${damage.problem.padEnd(8)} ${damage.key}${found}`);
  }
  for (const { tileSetId, renditionId, repair: action, applied } of report.repairs) {
    const what = tileSetId ? `tile set ${tileSetId}` : `rendition ${renditionId}`;
    console.log(`${action === 'recut' ? 'recut' : 'failed'}${applied ? '' : ' (not applicable)'}: ${what}`);
  }
  console.log(
    `Checked ${report.checkedObjects} object(s), ${report.checkedBytes} bytes: ` +
      (report.damaged.length === 0 ? 'all intact.' : `${report.damaged.length} damaged or missing.`),
  );
  exitCode = report.damaged.length === 0 ? 0 : 1;
} finally {
  await app.close();
  await database.close();
}
process.exit(exitCode);
