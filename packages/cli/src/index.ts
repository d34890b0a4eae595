export * from './config.js';
export * from './tandem.js';
export * from './open-store.js';
export { main } from './main.js';
export * from './smtp-mailer.js';
