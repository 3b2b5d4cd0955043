// The calls of the Profiles API the page makes, with the API key when the node asks for one.
// The key lives in sessionStorage: this browser tab's session only, never the URL or a cookie.

const KEY_STORAGE = 'profiles.apiKey';

/** An answer other than 2xx, with the problem+json detail the API sends. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  /**
   * @param {{ askForKey: (message: string) => Promise<string|null> }} options
   *   askForKey shows the key form and resolves with the key entered, or null when the user cancels.
   */
  constructor({ askForKey }) {
    this.askForKey = askForKey;
    this.pendingKey = null;
  }

  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  set key(value) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  /**
   * fetch() with the key. On 401 the user is asked for a key (once for all the calls waiting at that
   * moment) and the call is sent again; a cancelled form ends in an ApiError(401).
   */
  async request(path, { signal, accept = 'application/json', method = 'GET', body } = {}) {
    for (;;) {
      const headers = { Accept: accept };
      const sentKey = this.key;
      if (sentKey) headers.Authorization = `Bearer ${sentKey}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(path, {
        method, headers, signal, cache: 'no-store', credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status !== 401) return response;

      const problem = await readProblem(response);
      if (this.key !== sentKey) continue; // another call got a new key meanwhile
      const message = sentKey
        ? 'That API key was refused. Enter a valid key.'
        : (problem?.detail || 'This node asks for an API key.');
      const key = await this.keyFromUser(message);
      if (!key) throw new ApiError(401, problem);
      if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
    }
  }

  keyFromUser(message) {
    if (!this.pendingKey) {
      this.pendingKey = this.askForKey(message)
        .then(key => {
          if (key) this.key = key;
          return key;
        })
        .finally(() => { this.pendingKey = null; });
    }
    return this.pendingKey;
  }

  async json(path, options) {
    const response = await this.request(path, options);
    if (!response.ok) throw new ApiError(response.status, await readProblem(response));
    return response.json();
  }

  /**
   * The profile holding the identifier, or null when it is unknown. The identifier goes in the body, never the
   * address: an e-mail or a phone number in a URL ends up in the access logs of every proxy on the way.
   */
  async lookup(type, value, options) {
    try {
      return await this.json('/v1/profiles/lookup', { ...options, method: 'POST', body: { type, value } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** A profile by id (an id merged away or split answers with the profile that holds it now). */
  profile(profileId, options) {
    return this.json(`/v1/profiles/${encodeURIComponent(profileId)}`, options);
  }

  /**
   * Operator identity correction (role identity): kind 'unlink' (these are two people) or 'relink' (undo it),
   * for two identifiers named by their keys. Resolves with the resulting profiles.
   */
  correct(kind, profileId, identifiers, options) {
    return this.json(`/v1/profiles/${encodeURIComponent(profileId)}/${kind}`, {
      ...options, method: 'POST', body: { identifiers: identifiers.map(({ type, key }) => ({ type, key })) },
    });
  }

  /** The customer's consent decisions, newest first: the earliest and latest of each (purpose, channel, status, document). */
  consent(profileId, options) {
    return this.json(`/v1/profiles/${encodeURIComponent(profileId)}/consent`, options);
  }

  journey(profileId, { cursor, limit = 50, signal } = {}) {
    const parameters = { limit: String(limit) };
    if (cursor) parameters.cursor = cursor;
    return this.json(`/v1/profiles/${encodeURIComponent(profileId)}/journey?${query(parameters)}`, { signal });
  }

  /** The live stream of a profile, by its id: it follows the customer into the profile they merge into. */
  liveUrl(profileId) {
    return `/v1/profiles/${encodeURIComponent(profileId)}/live`;
  }
}

export async function readProblem(response) {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function query(parameters) {
  return new URLSearchParams(parameters).toString();
}
