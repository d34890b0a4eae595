import type { PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/* The descriptors proto-loader makes (one file per package, through protobuf.js) name no
 * imports and call a map's entry message `Fields` rather than `FieldsEntry`; clients
 * that check descriptors strictly (grpcurl, Go's protodesc) refuse both. This repairs
 * them before reflection serves them: every type reference fully qualified, each file's
 * imports listed, map entries named as protoc names them. */

interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  enumType: Array<{ name: string }>;
  options?: { mapEntry?: boolean };
}
interface FieldDescriptor {
  name: string;
  typeName?: string;
}
interface FileDescriptor {
  name: string;
  package: string;
  dependency: string[];
  messageType: MessageDescriptor[];
  enumType: Array<{ name: string }>;
  service: Array<{ name: string; method: Array<{ inputType: string; outputType: string }> }>;
}

const FileDescriptorProto = (descriptor as unknown as { FileDescriptorProto: protobufType }).FileDescriptorProto;
type protobufType = { decode(bytes: Uint8Array): unknown; encode(value: unknown): { finish(): Uint8Array } };

/** A package definition for `ReflectionService` whose descriptors strict clients accept. */
export function reflectionDefinition(definitions: PackageDefinition): PackageDefinition {
  const files = uniqueFiles(definitions);
  const owners = new Map<string, string>();
  for (const file of files) indexSymbols(file, owners);
  for (const file of files) repairFile(file, owners);
  const fileDescriptorProtos = files.map((file) => Buffer.from(FileDescriptorProto.encode(file).finish()));
  return { descriptors: { fileDescriptorProtos } } as unknown as PackageDefinition;
}

function uniqueFiles(definitions: PackageDefinition): FileDescriptor[] {
  const byName = new Map<string, FileDescriptor>();
  for (const entry of Object.values(definitions)) {
    for (const bytes of (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const file = FileDescriptorProto.decode(bytes) as FileDescriptor;
      if (!byName.has(file.name)) byName.set(file.name, file);
    }
  }
  return [...byName.values()];
}

/** Every message, enum and service of a file by full name (`.tandem.v1.Record`) → its file. */
function indexSymbols(file: FileDescriptor, owners: Map<string, string>): void {
  const scope = file.package ? `.${file.package}` : '';
  const visit = (message: MessageDescriptor, prefix: string) => {
    const name = `${prefix}.${message.name}`;
    owners.set(name, file.name);
    for (const nested of message.nestedType) visit(nested, name);
    for (const nested of message.enumType) owners.set(`${name}.${nested.name}`, file.name);
  };
  for (const message of file.messageType) visit(message, scope);
  for (const item of [...file.enumType, ...file.service]) owners.set(`${scope}.${item.name}`, file.name);
}

function repairFile(file: FileDescriptor, owners: Map<string, string>): void {
  const imports = new Set<string>();
  const resolve = (reference: string, scope: string) => {
    const name = resolveReference(reference, scope, owners);
    const owner = owners.get(name);
    if (owner && owner !== file.name) imports.add(owner);
    return name;
  };
  const scope = file.package ? `.${file.package}` : '';
  for (const message of file.messageType) repairMessage(message, `${scope}.${message.name}`, resolve);
  for (const service of file.service)
    for (const method of service.method) {
      method.inputType = resolve(method.inputType, scope);
      method.outputType = resolve(method.outputType, scope);
    }
  file.dependency = [...imports];
}

function repairMessage(
  message: MessageDescriptor,
  name: string,
  resolve: (ref: string, scope: string) => string,
): void {
  for (const field of message.field) {
    const entry = message.nestedType.find((nested) => nested.options?.mapEntry && nested.name === field.typeName);
    if (entry) entry.name = `${camelCase(field.name)}Entry`;
    if (field.typeName) field.typeName = entry ? `${name}.${entry.name}` : resolve(field.typeName, name);
  }
  for (const nested of message.nestedType) repairMessage(nested, `${name}.${nested.name}`, resolve);
}

/** A reference as protoc writes it: fully qualified, found by C++-style scope search when relative. */
function resolveReference(reference: string, scope: string, owners: Map<string, string>): string {
  if (reference.startsWith('.')) return reference;
  for (let at = scope; ; at = at.slice(0, at.lastIndexOf('.'))) {
    if (owners.has(`${at}.${reference}`)) return `${at}.${reference}`;
    if (at === '') return `.${reference}`;
  }
}

/** `field_violations` → `FieldViolations`, as protoc names a map's entry message. */
function camelCase(name: string): string {
  return name.replace(/(?:^|_)([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
