/**
 * Typed client for the Tessera API, generated from openapi.json (see schema.ts, written by
 * `npm run openapi`). The e2e tests drive the API through this client, so it is exercised
 * on every change.
 *
 *   const api = createTesseraClient({ baseUrl: 'http://localhost:3000' });
 *   const { data } = await api.POST('/v1/auth/login', { body: { email, password } });
 *   api.setAccessToken(data.accessToken);
 *   const { data: me } = await api.GET('/v1/users/me');
 *
 * A program uses an API key instead: `createTesseraClient({ baseUrl, apiKey: 'tsk_...' })`.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export type Schemas = components['schemas'];
export type Problem = Schemas['ProblemDto'];

export interface TesseraClient extends Client<paths> {
  /** Sends `Authorization: Bearer <token>` on every later request (undefined: none). */
  setAccessToken(token: string | undefined): void;
}

export function createTesseraClient(options: ClientOptions & { accessToken?: string; apiKey?: string }): TesseraClient {
  const { accessToken, apiKey, ...clientOptions } = options;
  // An API key is a bearer token too (it starts with `tsk_`).
  let token = accessToken ?? apiKey;
  const client = createClient<paths>(clientOptions);
  client.use({
    onRequest({ request }) {
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return Object.assign(client, {
    setAccessToken(next: string | undefined) {
      token = next;
    },
  });
}
