export type { Hooks } from './hooks-api.js';
export type {
  HookEvent,
  HookHandler,
  MailSendEvent,
  RecordActions,
  RecordAfterDeleteEvent,
  RecordAfterWriteEvent,
  RecordAuthEvent,
  RecordCreateEvent,
  RecordDeleteEvent,
  RecordJson,
  RecordUpdateEvent,
  RecordViewEvent,
  RecordsListEvent,
  RequestContext,
} from '@tandem/core';
export type { RouteEvent, RouteHandler, RouteMiddleware } from '@tandem/server';
