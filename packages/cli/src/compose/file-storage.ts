import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  LocalFileStorage,
  S3FileStorage,
  SelectedFileStorage,
  type S3Settings,
  type SettingsService,
} from '@tandem/core';

/** The file storage the settings choose, and how to tell it where the settings are once they are loaded. */
export interface TandemFileStorage {
  readonly storage: SelectedFileStorage<S3Settings>;
  /** The local directory alone (what backups include while S3 is off). */
  readonly local: LocalFileStorage;
  /** Starts following `settings.s3` (until then, the local directory is used). */
  follow(settings: SettingsService): void;
}

/**
 * Uploaded files live under `<dir>/storage` (PocketBase's `pb_data/storage`) unless the
 * settings enable S3, as PocketBase chooses.
 */
export async function openFileStorage(dir: string): Promise<TandemFileStorage> {
  const local = await new LocalFileStorage(join(dir, 'storage')).open();
  let settings: SettingsService | undefined;
  const off = { enabled: false } as S3Settings;
  const storage = new SelectedFileStorage<S3Settings>(() => settings?.get().s3 ?? off, local, createS3Storage);
  return { storage, local, follow: (s) => void (settings = s) };
}

const require = createRequire(import.meta.url);

/**
 * The AWS SDK, loaded the first time S3 is used. NB: loaded at start it held tens of
 * megabytes of heap in every server, S3 or not, and the larger heap made garbage
 * collection a measurable part of every request.
 */
function awsS3(): typeof import('@aws-sdk/client-s3') {
  return require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
}

/** S3-compatible storage from the `s3` settings. */
export function createS3Storage(s3: S3Settings): S3FileStorage {
  const { S3 } = awsS3();
  const client = new S3({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secret },
    // NB: checksums only where S3 requires them: many S3-compatible servers (MinIO of
    // old, s3rver, some vendors) refuse the SDK's default streaming trailer checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3FileStorage(client, s3.bucket);
}
