import type { AuthService } from '../auth/auth-service.js';
import type { BackupService } from '../backups/backup-service.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { OutboxMailer } from '../mail/outbox-mailer.js';
import type { RecordActions } from '../records/record-actions.js';
import type { BatchLimits } from '../records/record-batch.js';
import type { RealtimeBroker } from '../realtime/realtime-broker.js';
import type { RecordService } from '../records/record-service.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { LogStore } from '../logs/log-store.js';

/** The core services actions run on. */
export interface ActionServices {
  /** The record actions; inside a batch they are bound to the batch's transaction. */
  readonly records: RecordActions;
  /** Transactions and truncation (never bound to a batch). */
  readonly recordService: RecordService;
  readonly collections: CollectionService;
  readonly settings: SettingsService;
  /** The dev outbox, when mail is kept rather than sent. */
  readonly outbox?: OutboxMailer;
  /** Authentication; without it the auth actions are absent. */
  readonly auth?: AuthService;
  /** Backups; without it the backup actions are absent. */
  readonly backups?: BackupService;
  /** The request log; without it the log actions are absent. */
  readonly logs?: LogStore;
  /** The realtime broker; without it the realtime actions are absent. */
  readonly realtime?: RealtimeBroker;
  /** The batch limits in force now (settings may change them at any time). */
  batchLimits(): BatchLimits;
}
