import { readProtoFiles } from '@tandem/grpc';
import { parseFlags } from './common-flags.js';

/** Help text of `tandem proto`. */
export const protoHelp = `Usage: tandem proto

Prints the .proto files of Tandem's gRPC API (package tandem.v1), each after a
"// file: <path>" line. The server also serves them through gRPC reflection.`;

/** `tandem proto`: prints the .proto files of the gRPC API. */
export async function protoCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseFlags('proto', argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) return (out(protoHelp), 0);
  for (const file of readProtoFiles()) out(`// file: ${file.name}\n${file.text}`);
  return 0;
}
