export type { ActionAccess, ActionDefinition, ActionInput, ActionResult, ActionShape } from './action.js';
export type { ActionServices } from './action-services.js';
export { bodyObject, textQuery } from './action-input.js';
export { ActionDispatcher, allActions, type BatchCall } from './action-dispatcher.js';
