/** text/event-stream as OpenAPI can say it: lines of `event:` and `data:` (JSON). */
export const SSE_SCHEMA = {
  type: 'string',
  description: 'Server-Sent Events (text/event-stream); each event has `event: <name>` and `data: <JSON>`.',
  example: 'event: progress\ndata: {"id":"…","status":"processing","progress":0.42}\n\n',
} as const;
