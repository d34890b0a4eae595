export * from './tls-policy.js';
export * from './https-redirect.js';
export * from './certificate-reload.js';
export * from './connection-closer.js';
export * from './x509-certificate.js';
export * from './tls-status.js';
