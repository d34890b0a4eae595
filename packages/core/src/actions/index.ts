export type { ActionAccess, ActionDefinition, ActionInput, ActionResult, ActionShape, SessionGrant } from './action.js';
export type { ActionServices } from './action-services.js';
export { bodyObject, textQuery, toBodyObject } from './action-input.js';
export { ActionDispatcher, allActions, type BatchCall } from './action-dispatcher.js';
