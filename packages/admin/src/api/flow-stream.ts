import type { FlowEvent, FlowFrame } from '@tandem/protocol';

/**
 * Opens the Flow stream (`GET /api/flow`, superusers only, sent with the session
 * cookie) and hands each frame's events to `onEvents`. Returns the function that closes it.
 */
export function openFlowStream(
  onEvents: (events: readonly FlowEvent[], dropped: number) => void,
  onState: (state: 'open' | 'error') => void,
): () => void {
  const source = new EventSource('/api/flow');
  source.addEventListener('hello', () => onState('open'));
  source.addEventListener('flow', (message) => {
    const frame = JSON.parse((message as MessageEvent<string>).data) as FlowFrame;
    onEvents(frame.events, frame.dropped);
  });
  source.onerror = () => onState('error');
  return () => source.close();
}
