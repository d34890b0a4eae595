/**
 * The public API of @tandem/core: what the server, the CLI and embedders use. Everything
 * else is internal to the package and may change without notice.
 */
export { ActionDispatcher, allActions, type BatchCall } from './actions/action-dispatcher.js';
export { bodyObject, textQuery, toBodyObject } from './actions/action-input.js';
export type { ActionServices } from './actions/action-services.js';
export type {
  ActionAccess,
  ActionDefinition,
  ActionInput,
  ActionResult,
  ActionShape,
  SessionGrant,
} from './actions/action.js';
export type { AuthRequestOptions, AuthResult } from './auth/auth-context.js';
export { tokenFromHeader } from './auth/auth-principal.js';
export {
  authRateLimitsFromSettings,
  createAuthRateLimits,
  defaultAuthRateLimits,
  liveAuthRateLimits,
  type AuthCaller,
  type AuthRateLimitRules,
  type AuthRateLimits,
  type Limit,
} from './auth/auth-rate-limits.js';
export { AuthService } from './auth/auth-service.js';
export { signRecordToken } from './auth/auth-tokens.js';
export type { Cache } from './cache/cache.js';
export { CollectionGenerations } from './cache/collection-generations.js';
export { DEFAULT_CACHE_BYTES, MemoryCache } from './cache/memory-cache.js';
export { RecordCacheKeys, xmlCacheDecision, type CacheDecision } from './cache/record-cache-keys.js';
export { ChangeFeed } from './changes/change-feed.js';
export {
  changeLogLayout,
  changeLogSize,
  rekeyChangeLog,
  trimChanges,
  type ChangeEvent,
} from './changes/change-log.js';
export { CollectionService, type ImportResult } from './collections/collection-service.js';
export type { SchemaChangeObserver, SchemaChange, ImportOptions } from './collections/collection-service.js';
export { CollectionEdit } from './collections/collection-edit.js';
export { Migrator, type MigrationStatus } from './migrations/migrator.js';
export { parseMigrationDocument, type MigrationDocument, type MigrationStep } from './migrations/migration-document.js';
export { listMigrationFiles, migrationName, migrationText, writeMigration } from './migrations/migration-files.js';
export { changesDocument, snapshotDocument, writeMigrationsOfChanges } from './migrations/migration-writer.js';
export { MIGRATIONS_TABLE } from './migrations/migrations-table.js';
export { composeCoreServices, type CoreServices, type CoreServicesOptions } from './compose/core-services.js';
export { createMemoryRateLimiter } from './credentials/memory-rate-limiter.js';
export { CountsPerAddress, type ConnectionCaps } from './limits/counts-per-address.js';
export type { RateLimiter } from './credentials/rate-limiter.js';
export { AppError, isAppError, validationError } from './errors/app-error.js';
export { errorCatalog, type ErrorCode } from './errors/error-codes.js';
export type { RequestHeaders, RequestInfo } from './filter/filter-context.js';
export { ruleHeaders } from './filter/filter-macros.js';
export { MAX_RELATION_HOPS } from './filter/filter-path.js';
export { parseFields, pickFields } from './json/fields-picker.js';
export { jsonDocumentError, jsonValueError, MAX_JSON_DEPTH, parseJsonDocument } from './json/json-document.js';
export { jsonSizeExceeds } from './json/json-size.js';
export { jsonNumber, jsonString } from './json/json-text.js';
export type { MailMessage, Mailer } from './mail/mailer.js';
export { OutboxMailer } from './mail/outbox-mailer.js';
export { RealtimeBroker, type FanoutObserver, type RealtimeCredential } from './realtime/realtime-broker.js';
export {
  MAX_HELD_DURING_REPLAY,
  RealtimeClient,
  type Delivery,
  type RealtimeSink,
} from './realtime/realtime-client.js';
export { BacklogBound, backlogLimits, type BacklogLimits } from './realtime/backlog-bound.js';
export { parseSubscription, type Subscription } from './realtime/realtime-subscription.js';
export { assertBatchAllowed, batchFailure } from './records/record-batch.js';
export type { FileDownload } from './records/record-file-read.js';
export type { RecordFileOptions } from './records/record-service.js';
export { DEFAULT_ORPHAN_AGE_MS } from './records/record-file-sweep.js';
export type { ByteRange, FileStorage, StoredFile } from './files/file-storage.js';
export type { FileUpload } from './files/file-upload.js';
export { LocalFileStorage } from './files/local/local-file-storage.js';
export { S3FileStorage } from './files/s3/s3-file-storage.js';
export type { S3Driver } from './files/s3/s3-driver.js';
export { SelectedFileStorage } from './files/selected-file-storage.js';
export { isActiveContent, SNIFF_BYTES, sniffMimeType } from './files/file-mime.js';
export { storedFileName } from './files/file-names.js';
export { writeNewFile } from './files/write-new-file.js';
export { parseThumbSize, type Thumbnailer, type ThumbSize } from './files/file-thumbs.js';
export { maxFileSizeOf } from './schema/fields/file-field.js';
export type { RecordJson } from './records/record-codec.js';
export type { ListPage, ListParams } from './records/record-list.js';
export { RecordService } from './records/record-service.js';
export { MAX_EXPANDED_JSON } from './records/record-expand.js';
export {
  internalRequest,
  type RequestContext,
  type RequestTrace,
  type RuleDecision,
  type RuleOutcome,
} from './records/request-context.js';
export { toPublicCollection } from './schema/auth-collection.js';
export { isFieldTypeName } from './schema/fields/field-types.js';
export type { AuthCollection, Collection, FieldDef, Rule } from './schema/collection.js';
export { guest, isSuperuser, superuser, type Principal, type RecordData } from './schema/principal.js';
export type { SchemaView } from './schema/schema-view.js';
export {
  MAX_BATCH_BODY_SIZE,
  batchBodyLimit,
  defaultSettings,
  type BatchSettings,
  type RateLimitSettings,
  type S3Settings,
  type BackupSettings,
  type LogsSettings,
  type Settings,
} from './settings/settings-schema.js';
export { PARAMS_TABLE, SettingsService } from './settings/settings-service.js';
export {
  LOG_LEVELS,
  LOGS_TABLE,
  LogStore,
  LogWriter,
  entriesOf,
  storeLogSink,
  type LogEntry,
  type LogSink,
  type RequestLogBatch,
  type LogHourStats,
  type LogListParams,
  type LogPage,
  type LogReads,
  type LogSettings,
  type LogWriterOptions,
  type RequestLogInput,
  registerLogFunctions,
  segmentBlobRows,
  LOG_ROWS_FUNCTION,
} from './logs/index.js';
export { ident, sql } from './sql/sql.js';
export type { PostgresPool } from './storage/postgres/postgres-driver.js';
export { createPostgresStore } from './storage/postgres/postgres-store.js';
export type { SqliteDatabase } from './storage/sqlite/sqlite-driver.js';
export { createSqliteStore } from './storage/sqlite/sqlite-store.js';
export type { Dialect, DialectName } from './store/dialect.js';
export { StoreFullError, StoreUnavailableError } from './store/store-errors.js';
export type { Executor, Row, Store } from './store/store.js';
export { LOG_READ_BUDGET_MS } from './store/statement-budget.js';
export type { SqlQuery } from './store/query-template.js';
export { timedStore, type StoreTiming } from './store/timed-store.js';
export { LocalJobLease, type CronJobInfo, type CronJobs, type JobLease } from './jobs/jobs.js';
export type { RealtimeRelay, RelayAnswer, RelayHandler, RelayRequest } from './realtime/realtime-relay.js';
export type { RedisCommands, RedisConnections, RedisSubscriber } from './cluster/redis-connection.js';
export type { ClusterServices } from './cluster/cluster-services.js';
export { RedisBus } from './cluster/redis-bus.js';
export { RedisJobLease } from './cluster/redis-job-lease.js';
export { createRedisRateLimiter } from './cluster/redis-rate-limiter.js';
export { SharedGenerations } from './cluster/shared-generations.js';
export { TwoLevelCache } from './cluster/two-level-cache.js';
export { watchCall, type CallDescription, type CallWatcher, type WatchedCall } from './actions/call-watcher.js';
export { checkBackupArchive, extractBackupArchive } from './backups/backup-archive-read.js';
export { ARCHIVE_DATABASE, ARCHIVE_STORAGE, writeBackupArchive } from './backups/backup-archive-write.js';
export { defaultBackupLimits, type BackupLimits } from './backups/backup-limits.js';
export { AUTO_BACKUP_PREFIX, generateBackupName, isBackupKey } from './backups/backup-names.js';
export { applyPendingRestore, hasPendingRestore, stageRestore, type DataLayout } from './backups/backup-restore.js';
export { BACKUP_JOB_ID, scheduleBackups } from './backups/backup-schedule.js';
export {
  BackupService,
  type BackupDownload,
  type BackupFileInfo,
  type BackupServiceOptions,
  type DatabaseSnapshot,
} from './backups/backup-service.js';
export { CronScheduler, assertCronExpression, type CronSchedulerOptions } from './jobs/cron-scheduler.js';
export { Hook, budgetedRunner, withinBudget, type HookEvent, type HookHandler, type HookRunner } from './hooks/hook.js';
export {
  RecordHooks,
  type HookFailureReporter,
  type RecordAfterDeleteEvent,
  type RecordAfterWriteEvent,
  type RecordAuthEvent,
  type RecordCreateEvent,
  type RecordDeleteEvent,
  type RecordUpdateEvent,
  type RecordViewEvent,
  type RecordsListEvent,
} from './records/record-hooks.js';
export { HookedMailer, type MailSendEvent } from './mail/hooked-mailer.js';
export type { RecordActions } from './records/record-actions.js';
export { runExclusively, type ExclusiveRunOptions } from './jobs/exclusive-run.js';
