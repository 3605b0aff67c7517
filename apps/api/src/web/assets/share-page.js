// What the public pages of share links (share.js, share-collection.js) have in common.

/**
 * What a refusal of the link means to the person holding it (the API's problem codes):
 * [text, state]. `gone`: what to say when the thing behind the link no longer exists.
 */
export function refusal(status, problem, gone) {
  switch (problem?.code) {
    case 'SHARE_LINK_EXPIRED':
      return [
        `This link expired on ${new Date(problem.expiredAt).toLocaleString()}. Ask its owner for a new one.`,
        'expired',
      ];
    case 'SHARE_LINK_REVOKED':
      return ['This link was revoked by its owner.', 'revoked'];
    case 'SHARE_LINK_INVALID':
      return ['This is not a valid share link: it may be mistyped or cut short.', 'invalid'];
    case 'TILE_SET_NOT_FOUND':
    case 'COLLECTION_NOT_FOUND':
      return [gone, 'gone'];
    default:
      return [problem?.detail || `This link does not work (${status}).`, 'error'];
  }
}
