import type { FastifyReply } from 'fastify';

/** Adds a field name to the reply's `Vary` unless it is already listed (or `*`). */
export function appendVary(reply: FastifyReply, name: string): void {
  const current = reply.getHeader('vary');
  if (current === undefined || current === '') return void reply.header('vary', name);
  const text = String(current);
  const lower = name.toLowerCase();
  if (text === '*' || text.split(',').some((item) => item.trim().toLowerCase() === lower)) return;
  reply.header('vary', `${text}, ${name}`);
}
