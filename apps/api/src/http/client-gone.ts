import type { Response } from 'express';

/** A signal that aborts when the client closes the connection before the answer is complete. */
export function whenClientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('the client went away'));
  });
  return gone.signal;
}
