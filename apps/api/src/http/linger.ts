import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LingerLimits {
  seconds: number;
  bytes: number;
}

/**
 * For an answer given before the request body was read (a refused upload): a lingering
 * close. Closing at once with unread bytes in the kernel's buffer makes it send a reset,
 * which can overtake the answer; clients still sending then see EPIPE/ECONNRESET instead of
 * the problem+json. So the connection stays open and Node reads and discards the rest of the
 * body, for at most `limits.seconds` and `limits.bytes`, after which it is cut (the client
 * has had the answer all that time).
 */
export function lingerIfUnread(req: IncomingMessage, res: ServerResponse, limits: LingerLimits): void {
  if (req.complete) return;
  const socket = req.socket;
  res.once('finish', () => {
    if (req.complete || socket.destroyed) return;
    const start = socket.bytesRead;
    const deadline = Date.now() + limits.seconds * 1000;
    const stop = () => clearInterval(watch);
    const watch = setInterval(() => {
      if (req.complete || socket.destroyed) return stop();
      if (Date.now() > deadline || socket.bytesRead - start > limits.bytes) {
        stop();
        socket.destroy();
      }
    }, 50);
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
