export abstract class WebhooksSettings {
  abstract readonly timeoutSeconds: number;
  abstract readonly maxAttempts: number;
  abstract readonly retryDelaySeconds: number;
}
