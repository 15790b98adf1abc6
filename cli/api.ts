/** The docstream HTTP API as the command line sees it: JSON in and out, a bearer key. */

export interface Connection {
  url: string;
  key: string;
}

/** An answer of the API that is not a success, with the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }

  /** Worth sending again: the server was busy or briefly unable to append. */
  get transient(): boolean {
    return this.status >= 500 || this.code === 'RATE_LIMITED';
  }
}

export function createApi({ url, key }: Connection) {
  const base = url.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${key}` };

  async function request<T>(method: string, path: string, body?: object | FormData): Promise<T> {
    const json = body !== undefined && !(body instanceof FormData);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: json ? { ...auth, 'content-type': 'application/json' } : auth,
      ...(body !== undefined && { body: json ? JSON.stringify(body) : (body as FormData) }),
    });
    const text = await response.text();
    const parsed = text ? safeJson(text) : null;
    if (!response.ok) {
      const { code, message } = (parsed ?? {}) as { code?: string; message?: string };
      throw new ApiError(response.status, code ?? `HTTP_${response.status}`, message ?? text);
    }
    return parsed as T;
  }

  return {
    url: base,
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body?: object | FormData) => request<T>('POST', path, body ?? {}),
    /** A streaming GET (Server-Sent Events); the caller reads the body. */
    stream: (path: string, signal: AbortSignal) =>
      fetch(`${base}${path}`, { headers: { ...auth, accept: 'text/event-stream' }, signal }),
  };
}

export type Api = ReturnType<typeof createApi>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
