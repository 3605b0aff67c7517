/** True when an If-None-Match header names `etag` (weak comparison, `*` matches all). */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  return (
    header !== undefined &&
    (header.trim() === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag))
  );
}
