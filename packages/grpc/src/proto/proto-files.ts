import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** The folder of Tandem's .proto files (`packages/protocol/proto/`), as installed. */
export const PROTO_DIR = dirname(
  dirname(dirname(fileURLToPath(import.meta.resolve('@tandem/protocol/proto/tandem/v1/records.proto')))),
);

/** Tandem's own .proto files (package `tandem.v1`), relative to PROTO_DIR. */
export const TANDEM_PROTO_FILES: readonly string[] = ['tandem/v1/records.proto', 'tandem/v1/auth.proto'];

// The standard health service's file, beside Tandem's in reflection so that generic
// clients can find it there too.
const HEALTH_ROOT = dirname(dirname(dirname(healthProtoPath)));
const HEALTH_FILE = 'health/v1/health.proto';

/**
 * How messages look in JavaScript: field names as in the .proto files (`collection_id`),
 * 64-bit numbers and enums as strings, defaults filled in, and the name of the set
 * member of each oneof (a Struct Value's `kind`).
 */
export const LOADER_OPTIONS: Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR, HEALTH_ROOT],
});

/** Tandem's services and the health service, loaded once (with their file descriptors, for reflection). */
export function loadServiceDefinitions(): PackageDefinition {
  return loadSync([...TANDEM_PROTO_FILES, HEALTH_FILE], LOADER_OPTIONS);
}

/** The text of each of Tandem's .proto files, for `tandem proto`. */
export function readProtoFiles(): Array<{ readonly name: string; readonly text: string }> {
  return TANDEM_PROTO_FILES.map((name) => ({ name, text: readFileSync(join(PROTO_DIR, name), 'utf8') }));
}
