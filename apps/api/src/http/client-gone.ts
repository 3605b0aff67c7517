import type { ServerResponse } from 'node:http';

/** The client closed its connection before the answer was complete. */
export const clientGone = (res: ServerResponse) =>
  !res.writableFinished && (res.destroyed || res.socket?.destroyed === true);

/**
 * A signal that aborts when the client closes the connection before the answer is complete;
 * aborted already if it closed before this was asked for (a caller may ask late, once it
 * knows it has work to stop).
 */
export function whenClientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  const abort = () => gone.abort(new Error('the client went away'));
  if (clientGone(res)) abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) abort();
    });
  return gone.signal;
}
