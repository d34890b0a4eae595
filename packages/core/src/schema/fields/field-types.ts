import type { FieldTypeName } from '../collection.js';
import type { FieldType } from './field-type.js';
import { autodateField } from './autodate-field.js';
import { boolField } from './bool-field.js';
import { dateField } from './date-field.js';
import { emailField } from './email-field.js';
import { jsonField } from './json-field.js';
import { numberField } from './number-field.js';
import { relationField } from './relation-field.js';
import { selectField } from './select-field.js';
import { textField } from './text-field.js';
import { urlField } from './url-field.js';
import { passwordField } from './password-field.js';
import { fileField } from './file-field.js';
import { editorField } from './editor-field.js';
import { geoPointField } from './geo-point-field.js';

/** Every field type by name. */
export const fieldTypes: Readonly<Record<FieldTypeName, FieldType>> = {
  text: textField,
  number: numberField,
  bool: boolField,
  email: emailField,
  url: urlField,
  date: dateField,
  autodate: autodateField,
  select: selectField,
  json: jsonField,
  relation: relationField,
  file: fileField,
  password: passwordField,
  editor: editorField,
  geoPoint: geoPointField,
};

/** True when `name` is a field type Tandem knows. */
export function isFieldTypeName(name: unknown): name is FieldTypeName {
  return typeof name === 'string' && Object.hasOwn(fieldTypes, name);
}
