// How listeners and pools name a secret of the local store: the `secret_ref` URL the
// upload API answers (`http://HOST:PORT/v2/velox/secrets/<id>`, what users paste into
// `--default-tls-container-ref`) or the bare id. Any host is accepted: the same
// controller is reached as 127.0.0.1, localhost or its public name, and the id alone
// decides; the project check decides who may use it.

/** The path of the secrets collection under the API's root. */
export const SECRETS_PATH = '/v2/velox/secrets';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const BARE = new RegExp(`^${UUID}$`);
const URL_PATH = new RegExp(`^/v2(?:\\.0)?/velox/secrets/(${UUID})/?$`);

/** The URL of secret `id` on the API reached at `origin` (`http://127.0.0.1:9876`). */
export function secretRef(origin: string, id: string): string {
  return `${origin.replace(/\/+$/, '')}${SECRETS_PATH}/${id}`;
}

/** The id a ref names in the local store (lower case), or undefined if it is not a local ref. */
export function localSecretId(ref: string): string | undefined {
  const text = ref.trim();
  if (BARE.test(text)) return text.toLowerCase();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.search || url.hash) return undefined;
  return URL_PATH.exec(url.pathname)?.[1]?.toLowerCase();
}
