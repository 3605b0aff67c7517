/**
 * Ports for test servers that must come back on the same port after being stopped (outage
 * tests). They are picked below Linux's ephemeral range (32768-60999), so no outgoing
 * connection can be given the port while the server is down, and binding is retried in
 * case another test picked the same one.
 */
export function stablePortCandidate(): number {
  return 20_000 + Math.floor(Math.random() * 10_000);
}

export async function bindWithRetry<T>(
  bind: (port: number) => Promise<T>,
  port?: number,
): Promise<{ port: number; result: T }> {
  for (let attempt = 0; ; attempt++) {
    const candidate = port ?? stablePortCandidate();
    try {
      return { port: candidate, result: await bind(candidate) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
