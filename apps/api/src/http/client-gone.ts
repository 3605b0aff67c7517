import type { ServerResponse } from 'node:http';

/** The client closed its connection before the answer was complete. */
export const clientGone = (res: ServerResponse) =>
  !res.writableFinished && (res.destroyed || res.socket?.destroyed === true);

/** A signal that aborts when the client closes the connection before the answer is complete. */
export function whenClientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('the client went away'));
  });
  return gone.signal;
}
