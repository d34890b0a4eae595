import type { Readable } from 'node:stream';

/**
 * The part of an S3 client Tandem uses, declared structurally (as the database drivers
 * are) so that core imports no SDK: `@aws-sdk/client-s3`'s aggregated `S3` class fits
 * it, and the composition root passes one in.
 */
export interface S3Driver {
  putObject(
    input: {
      Bucket: string;
      Key: string;
      Body: Readable | Buffer;
      ContentLength: number;
      ContentType: string;
    },
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
  getObject(input: { Bucket: string; Key: string; Range?: string }): Promise<{ Body?: unknown }>;
  headObject(input: { Bucket: string; Key: string }): Promise<{ ContentLength?: number; LastModified?: Date }>;
  deleteObject(input: { Bucket: string; Key: string }): Promise<unknown>;
  listObjectsV2(input: { Bucket: string; Prefix?: string; ContinuationToken?: string }): Promise<{
    Contents?: Array<{ Key?: string; Size?: number; LastModified?: Date }>;
    IsTruncated?: boolean;
    NextContinuationToken?: string;
  }>;
}
