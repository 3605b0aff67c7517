import type { JobPolicies } from '#shared-kernel';

/** Turns recorded events into deliveries (after a notification, and every minute in any case). */
export const DISPATCH_WEBHOOKS_JOB = 'webhooks.dispatch';
/** Sends the pending deliveries of one stream (an endpoint and a subject), in order. */
export const DELIVER_WEBHOOKS_JOB = 'webhooks.deliver';

declare module '#shared-kernel' {
  interface JobMap {
    'webhooks.dispatch': Record<string, never>;
    'webhooks.deliver': { endpointId: string; subjectId: string };
  }
}

/** The queue policies of the webhooks jobs. */
export function webhookJobPolicies(settings: { timeoutSeconds: number }): JobPolicies {
  return {
    // One run at a time per stream is what keeps a subject's events in order.
    'webhooks.deliver': { singleton: true, timeoutSeconds: 50 * settings.timeoutSeconds + 60 },
    // Any process may run it; a lost run is redone by the next tick.
    'webhooks.dispatch': { singleton: true, timeoutSeconds: 300, retryLimit: 0 },
  };
}

/** The singleton key of a stream's job. */
export const streamKey = (stream: { endpointId: string; subjectId: string }) =>
  `${stream.endpointId}:${stream.subjectId}`;
