import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * For an answer given before the request body was read (a refused upload): a lingering
 * close, as nginx's `lingering_close`. Closing at once with unread bytes in the kernel's
 * buffer makes it send a reset, which can overtake the answer; clients still sending then see
 * EPIPE/ECONNRESET instead of the problem+json. So the connection stays open and Node reads
 * and discards the rest of the body until the client, having read the answer, stops sending
 * and closes (Node's fetch and browsers do at once), or for at most `seconds`, after which it
 * is cut (the client has had the answer all that time).
 *
 * Bounded by time only: a client often sends its whole body (here, loaded: 16 MiB on
 * loopback) before it reads an early answer, so a bound in bytes cut clients that were about
 * to read it.
 */
export function lingerIfUnread(req: IncomingMessage, res: ServerResponse, seconds: number): void {
  if (req.complete) return;
  const socket = req.socket;
  res.once('finish', () => {
    if (req.complete || socket.destroyed) return;
    const cut = setTimeout(() => socket.destroy(), seconds * 1000);
    const stop = () => clearTimeout(cut);
    req.once('end', stop);
    socket.once('close', stop);
    // Nothing else reads it now: drain (Node does too once the answer is sent; this is idempotent).
    // Unpiped first: a pipe into a parser that stopped (busboy after a refusal) pauses the
    // request again at every chunk, and the connection, though keep-alive, would stall until
    // cut, failing the client's next request on it.
    req.unpipe();
    req.resume();
  });
}
