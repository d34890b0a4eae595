import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { dataFlags, dataLayer, parseFlags } from './common-flags.js';
import { tempDirsOfThisFile } from '../testing/temp-dirs.fixture.js';

const tempDir = tempDirsOfThisFile();

const flags = { ...dataFlags, out: { type: 'string' }, 'delete-missing': { type: 'boolean' } } as const;

/** The message of the usage error parseFlags throws, after checking it is one (exit 2). */
function usageError(argv: string[], allowPositionals = false): string {
  try {
    parseFlags('collections', argv, flags, allowPositionals);
  } catch (error) {
    assert.ok(error instanceof CliError && error.exitCode === 2, String(error));
    return error.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('parseFlags', () => {
  it('reads string and boolean flags, short aliases, = values and positionals', () => {
    const { values, positionals } = parseFlags(
      'collections',
      ['import', 'a.json', '--delete-missing', '--dir=/tmp/x', '--out', 'o.json', '-h'],
      flags,
      true,
    );
    assert.deepEqual(positionals, ['import', 'a.json']);
    assert.deepEqual({ ...values }, { 'delete-missing': true, dir: '/tmp/x', out: 'o.json', help: true });
  });

  it('takes a value that starts with a dash when it is written with =', () => {
    assert.equal(parseFlags('collections', ['--out=-'], flags).values.out, '-');
  });

  it('refuses an unknown flag, long or short, naming it and the help to read', () => {
    assert.equal(usageError(['--nope']), 'unknown flag --nope (see tandem collections --help)');
    assert.equal(usageError(['-x']), 'unknown flag -x (see tandem collections --help)');
    assert.equal(usageError(['-hx']), 'unknown flag -x (see tandem collections --help)');
    assert.equal(usageError(['--toString']), 'unknown flag --toString (see tandem collections --help)');
  });

  it('refuses a flag whose value is missing', () => {
    assert.equal(usageError(['--out']), '--out needs a value (see tandem collections --help)');
    assert.equal(usageError(['export', '--dir'], true), '--dir needs a value (see tandem collections --help)');
  });

  it('refuses a flag followed by another flag where its value should be', () => {
    assert.equal(
      usageError(['--db', '--dir', 'x'], true),
      '--db needs a value, got the flag --dir (see tandem collections --help)',
    );
  });

  it('refuses a value for a boolean flag', () => {
    assert.equal(
      usageError(['--delete-missing=yes']),
      '--delete-missing takes no value (see tandem collections --help)',
    );
  });

  it('refuses an argument where the command takes none', () => {
    assert.equal(usageError(['stray']), 'unexpected argument "stray" (see tandem collections --help)');
  });
});

describe('dataLayer', () => {
  it('holds only the flags that were given, so the environment still applies to the others', () => {
    const { values } = parseFlags('collections', ['--db', 'flag.db'], flags);
    assert.deepEqual(dataLayer(values), { db: 'flag.db' });
    const envDir = tempDir('tandem-flags-');
    const config = loadConfig(dataLayer(values), { TANDEM_DIR: envDir, TANDEM_DB: 'env.db' });
    assert.equal(config.dir, envDir);
    assert.ok(config.db.endsWith('flag.db'), 'the flag beats the environment');
  });
});
