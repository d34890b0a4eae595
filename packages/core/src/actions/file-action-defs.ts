import type { ActionDefinition } from './action.js';
import { paramOf, queryOf } from './action-input.js';

/** `files.token`: a short-lived token for protected files (401 for guests), PocketBase's `POST /api/files/token`. */
export const fileTokenAction: ActionDefinition = {
  name: 'files.token',
  summary: 'A short-lived token for reading protected files.',
  access: 'anyone',
  shape: 'one',
  needs: 'auth',
  errors: ['AUTH_REQUIRED'],
  async run(services, _input, request) {
    return { status: 200, body: { token: await services.auth!.fileToken(request.principal) } };
  },
};

/**
 * `files.download`: a record's file (or its thumbnail) under the record's view rule;
 * the answer's body is a FileDownload, which a transport streams (HTTP: with Range and
 * ETag). Protected files are read as the principal of `?token=`.
 */
export const fileDownloadAction: ActionDefinition = {
  name: 'files.download',
  summary: "A record's file or its thumbnail.",
  access: 'anyone',
  shape: 'none',
  errors: ['NOT_FOUND', 'FILE_NAME_INVALID'],
  async run(services, input, request) {
    const token = queryOf(input, 'token');
    const download = await services.recordService.file(
      {
        collection: paramOf(input, 'collection'),
        recordId: paramOf(input, 'recordId'),
        filename: paramOf(input, 'filename'),
        thumb: queryOf(input, 'thumb'),
        tokenPrincipal: async () => (services.auth ? services.auth.principalOfFileToken(token) : { kind: 'guest' }),
      },
      request,
    );
    return { status: 200, body: download };
  },
};

/** Every file action. */
export const fileActions: readonly ActionDefinition[] = [fileTokenAction, fileDownloadAction];
