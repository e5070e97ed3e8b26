// The page's one way to call the API: JSON in and out, the admin key when a call needs it, and
// every failure turned into a sentence (the API's own `error.message` when it sent one).
const KEY_STORAGE = 'retailflow.apiKey';
const KEY_HINT = 'Enter the admin API key under "API key" at the top (npm start writes it to .data/dev/api-key).';

/** Kept for this tab only (sessionStorage), never logged. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body, admin = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Sent on reads too: an API run with API_READS_NEED_KEY wants a key for them.
  const key = apiKey.get();
  if (admin && !key) throw new ApiError(`This needs the admin API key. ${KEY_HINT}`, 401);
  if (key) headers.authorization = `Bearer ${key}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('Cannot reach the retailflow API. Is it running?', 0);
  }
  const data = await res.json().catch(() => undefined);
  if (res.ok) return data;
  const message = sentence(data?.error?.message ?? `the API answered ${res.status} ${res.statusText}`);
  throw new ApiError(res.status === 401 || res.status === 403 ? `${message} ${KEY_HINT}` : message, res.status);
}

/** The API words its messages as clauses ("unknown API key"): shown as sentences. */
const sentence = (text) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
