import { CliError } from './config/cli-error.js';
import { serveCommand } from './commands/serve-command.js';
import { collectionsCommand } from './commands/collections-command.js';
import { superuserCommand } from './commands/superuser-command.js';
import { mailCommand } from './commands/mail-command.js';
import { typegenCommand } from './commands/typegen-command.js';
import { graphqlCommand } from './commands/graphql-command.js';
import { protoCommand } from './commands/proto-command.js';
import { clusterCommand } from './commands/cluster-command.js';
import { backupCommand } from './commands/backup-command.js';
import { migrateCommand } from './commands/migrate-command.js';

const HELP = `Usage: tandem <command> [flags]

Commands:
  serve          start the server (default: http://127.0.0.1:8090 and gRPC on 127.0.0.1:8091,
                 data in ./tandem_data)
  cluster        run N instances and HAProxy on one URL (needs PostgreSQL and Redis)
  collections    import or export collection definitions
  migrate        apply, revert, list or write migrations: tandem migrate up|down|status|create|collections;
                 tandem migrate change-log rebuilds an older SQLite change log
  superuser      create, update or delete a superuser
  backup         create a backup, or stage one to restore at the next start
  mail           read the dev outbox (mail kept when no SMTP server is set)
  typegen        write TypeScript types of the collections for @tandem/sdk
  graphql        print the GraphQL schema (SDL): tandem graphql schema
  proto          print the .proto files of the gRPC API

Run "tandem <command> --help" for a command's flags.`;

const commands: Record<string, (argv: string[], out: (line: string) => void) => Promise<number>> = {
  serve: serveCommand,
  collections: collectionsCommand,
  migrate: migrateCommand,
  superuser: superuserCommand,
  backup: backupCommand,
  mail: mailCommand,
  typegen: typegenCommand,
  graphql: graphqlCommand,
  proto: protoCommand,
  cluster: clusterCommand,
};

/** Runs the CLI and returns the exit code; failures are one line on stderr. */
export async function main(argv: string[], out: (line: string) => void = (line) => console.log(line)): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return (out(HELP), name ? 0 : 2);
  const command = commands[name];
  try {
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)} (see tandem --help)`, 2);
    return await command(rest, out);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`tandem: ${error.message}`);
      return error.exitCode;
    }
    console.error(`tandem: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
