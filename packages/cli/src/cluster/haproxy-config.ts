import type { HostPort } from '../config/config.js';

/** The balancer's front and the instances behind it. */
export interface BalancerPlan {
  readonly front: HostPort;
  readonly backends: readonly HostPort[];
}

/**
 * An HAProxy configuration for a Tandem cluster: round robin over the instances, no
 * sticky sessions (any instance answers any request), a health check on
 * `/api/health` every half second so a dead instance leaves the rotation quickly, and
 * `redispatch` so a request whose connection was refused is tried on another instance.
 * WebSocket and SSE streams pass through (HAProxy tunnels upgrades in HTTP mode); the
 * long client/server/tunnel timeouts let them live. Each answer names its instance in
 * `X-Tandem-Instance`, so a demo (and the tests) can see requests spread.
 */
export function haproxyConfig(plan: BalancerPlan): string {
  const servers = plan.backends.map(
    (backend, index) => `  server i${index + 1} ${backend.host}:${backend.port} check inter 500ms fall 2 rise 1`,
  );
  return [
    'global',
    '  maxconn 4000',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch',
    '  retries 3',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '  timeout http-request 10s',
    'frontend tandem',
    `  bind ${plan.front.host}:${plan.front.port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /api/health',
    '  http-response set-header X-Tandem-Instance %[srv_name]',
    ...servers,
    '',
  ].join('\n');
}
