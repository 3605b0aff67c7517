import { HttpProblem } from '../http/problem/http-problem.js';

/**
 * Refuses one more upload to an owner who has `count` unfinished uploads of either kind
 * (resumable and direct count together) when that is already `cap`
 * (UPLOAD_RESUMABLE_MAX_PER_USER).
 */
export function assertRoomForUpload(count: number, cap: number): void {
  if (count < cap) return;
  throw new HttpProblem(
    422,
    'TOO_MANY_UNFINISHED_UPLOADS',
    `You have ${count} unfinished uploads (at most ${cap}); finish or delete one first.`,
  );
}
