export * from './records.js';
export * from './errors.js';
export * from './realtime.js';
export * from './flow.js';
