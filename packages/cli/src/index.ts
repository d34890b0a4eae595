export * from './config/config.js';
export * from './compose/tandem.js';
export * from './compose/open-store.js';
export { main } from './main.js';
export * from './compose/smtp-mailer.js';
