import { crc32 } from 'node:zlib';

type Json = Record<string, unknown>;

/**
 * True for collection JSON of PocketBase 0.22 or older: fields under `schema` (their
 * options nested under `options`) and the type's settings under `options`.
 */
export function isLegacyCollection(raw: unknown): raw is Json {
  return isObject(raw) && Array.isArray(raw.schema) && raw.fields === undefined;
}

/**
 * Converts a PocketBase ≤ 0.22 collection into the current shape the way PocketBase's own
 * upgrade does (migrations/1717233556_v0.23_migrate.go): field options flattened, the
 * `id` field and the created/updated autodates added, auth options and system fields
 * spelled out, `@request.data` renamed `@request.body`, a view's `options.query` moved
 * to `viewQuery`.
 */
export function upgradeLegacyCollection(raw: Json): Json {
  const { schema, options: rawOptions, ...rest } = raw;
  const options = isObject(rawOptions) ? rawOptions : {};
  const type = String(raw.type ?? 'base');
  const fields = (schema as unknown[]).filter(isObject).map(upgradeField);
  const out: Json = { ...rest, ...upgradeRules(raw) };
  if (type === 'auth') Object.assign(out, upgradeAuthOptions(options, fields, raw));
  else if (type === 'view')
    Object.assign(out, { viewQuery: String(options.query ?? ''), fields: [idField(), ...fields] });
  else out.fields = [idField(), ...fields, ...autodates()];
  return out;
}

function upgradeRules(raw: Json): Json {
  const keys = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];
  return Object.fromEntries(keys.filter((k) => k in raw).map((k) => [k, upgradeRule(raw[k])]));
}

function upgradeRule(rule: unknown): unknown {
  return typeof rule === 'string' ? rule.replaceAll('@request.data', '@request.body') : rule;
}

function upgradeField(field: Json): Json {
  const options = isObject(field.options) ? field.options : {};
  const base: Json = {
    id: String(field.id ?? ''),
    name: String(field.name ?? ''),
    type: field.type,
    system: field.system === true,
    required: field.required === true,
    presentable: field.presentable === true,
    hidden: false,
  };
  return { ...base, ...fieldOptions(String(field.type), options) };
}

/** The per-type option mapping of PocketBase's upgrade (`toTextField`, `toNumberField`, …). */
function fieldOptions(type: string, o: Json): Json {
  switch (type) {
    case 'text':
      return { min: int(o.min), max: int(o.max), pattern: str(o.pattern), autogeneratePattern: '' };
    case 'number':
      return { onlyInt: o.noDecimal === true, min: o.min ?? null, max: o.max ?? null };
    case 'email':
    case 'url':
      return { exceptDomains: list(o.exceptDomains), onlyDomains: list(o.onlyDomains) };
    case 'editor':
      return { convertURLs: o.convertUrls === true };
    case 'date':
      return { min: str(o.min), max: str(o.max) };
    case 'select':
      return { values: list(o.values), maxSelect: int(o.maxSelect) };
    case 'json':
      return { maxSize: int(o.maxSize) };
    case 'relation':
      return {
        collectionId: str(o.collectionId),
        cascadeDelete: o.cascadeDelete === true,
        minSelect: int(o.minSelect),
        maxSelect: int(o.maxSelect) > 0 ? int(o.maxSelect) : 2147483647,
      };
    case 'file':
      return {
        maxSelect: int(o.maxSelect),
        maxSize: int(o.maxSize),
        thumbs: list(o.thumbs),
        mimeTypes: list(o.mimeTypes),
        protected: o.protected === true,
      };
    default:
      return {};
  }
}

function upgradeAuthOptions(options: Json, fields: Json[], raw: Json): Json {
  const identityFields = [
    ...(options.allowEmailAuth === true ? ['email'] : []),
    ...(options.allowUsernameAuth === true ? ['username'] : []),
  ];
  const manageRule = typeof options.manageRule === 'string' && options.manageRule !== '' ? options.manageRule : null;
  const [id, name] = [String(raw.id ?? ''), String(raw.name ?? '')];
  return {
    authRule: options.onlyVerified === true ? 'verified=true' : '',
    manageRule: upgradeRule(manageRule),
    passwordAuth: { enabled: identityFields.length > 0, identityFields },
    fields: [idField(), ...authFields(options), ...fields, ...autodates()],
    indexes: [
      `CREATE UNIQUE INDEX \`_${id}_username_idx\` ON \`${name}\` (username COLLATE NOCASE)`,
      `CREATE UNIQUE INDEX \`_${id}_email_idx\` ON \`${name}\` (\`email\`) WHERE \`email\` != ''`,
      `CREATE UNIQUE INDEX \`_${id}_tokenKey_idx\` ON \`${name}\` (\`tokenKey\`)`,
      ...(Array.isArray(raw.indexes) ? raw.indexes : []),
    ],
  };
}

/** The system fields 0.22 kept implicit, as PocketBase's upgrade spells them out. */
function authFields(options: Json): Json[] {
  const system = { system: true, presentable: false };
  return [
    {
      ...system,
      id: fieldId('password', 'password'),
      name: 'password',
      type: 'password',
      hidden: true,
      required: true,
      min: int(options.minPasswordLength),
    },
    {
      ...system,
      id: fieldId('text', 'tokenKey'),
      name: 'tokenKey',
      type: 'text',
      hidden: true,
      required: true,
      min: 30,
      max: 60,
      autogeneratePattern: '[a-zA-Z0-9_]{50}',
    },
    {
      ...system,
      id: fieldId('email', 'email'),
      name: 'email',
      type: 'email',
      hidden: false,
      required: options.requireEmail === true,
      exceptDomains: list(options.exceptEmailDomains),
      onlyDomains: list(options.onlyEmailDomains),
    },
    {
      ...system,
      id: fieldId('bool', 'emailVisibility'),
      name: 'emailVisibility',
      type: 'bool',
      hidden: false,
      required: false,
    },
    { ...system, id: fieldId('bool', 'verified'), name: 'verified', type: 'bool', hidden: false, required: false },
    {
      id: fieldId('text', 'username'),
      name: 'username',
      type: 'text',
      system: false,
      hidden: false,
      required: true,
      presentable: false,
      min: 3,
      max: 150,
      pattern: '^[\\w][\\w\\.\\-]*$',
      autogeneratePattern: 'users[0-9]{6}',
    },
  ];
}

function idField(): Json {
  return {
    id: fieldId('text', 'id'),
    name: 'id',
    type: 'text',
    system: true,
    required: true,
    primaryKey: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
  };
}

function autodates(): Json[] {
  return [
    { id: fieldId('autodate', 'created'), name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    { id: fieldId('autodate', 'updated'), name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
  ];
}

/** PocketBase's field id for a migrated field: the type and the CRC-32 of the name (`fieldIdChecksum`). */
function fieldId(type: string, name: string): string {
  return type + String(crc32(name));
}

function int(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function str(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
