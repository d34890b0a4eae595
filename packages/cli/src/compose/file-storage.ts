import { join } from 'node:path';
import { S3 } from '@aws-sdk/client-s3';
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
  return { storage, follow: (s) => void (settings = s) };
}

/** S3-compatible storage from the `s3` settings. */
export function createS3Storage(s3: S3Settings): S3FileStorage {
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
