// The bench's HTTP client: JSON in and out, each call timed from the caller's side.

export class ApiCallFailed extends Error {
  override name = 'ApiCallFailed';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const detail = body && typeof body === 'object' && 'detail' in body ? String((body as { detail: unknown }).detail) : JSON.stringify(body)?.slice(0, 300);
    super(`${method} ${path} answered ${status}: ${detail}`);
  }
}

export interface Timed<T> {
  body: T;
  ms: number;
}

// API answers are read loosely: the bench checks the few fields it uses.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiClient {
  call<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Timed<T>>;
  get<T = Json>(path: string): Promise<T>;
  post<T = Json>(path: string, body?: unknown): Promise<T>;
  put<T = Json>(path: string, body?: unknown): Promise<T>;
}

export function apiClient(baseUrl: string, key: string): ApiClient {
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Timed<T>> => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    if (!response.ok) throw new ApiCallFailed(method, path, response.status, parsed);
    return { body: parsed as T, ms };
  };
  return {
    call,
    get: async <T>(path: string) => (await call<T>('GET', path)).body,
    post: async <T>(path: string, body: unknown = {}) => (await call<T>('POST', path, body)).body,
    put: async <T>(path: string, body: unknown = {}) => (await call<T>('PUT', path, body)).body,
  };
}

/** Failures of a phase by kind ("POST /v1/briefs 503"), so one bad answer does not end a long run. */
export class FailureLog {
  readonly counts: Record<string, number> = {};
  private examples: string[] = [];

  record(err: unknown): void {
    const kind = err instanceof ApiCallFailed ? `${err.method} ${err.path.replace(/[0-9a-f-]{36}/g, ':id')} ${err.status}` : err instanceof Error ? err.name : 'error';
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (this.examples.length < 5) this.examples.push(err instanceof Error ? err.message : String(err));
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  summary(): { total: number; byKind: Record<string, number>; examples: string[] } | undefined {
    return this.total ? { total: this.total, byKind: this.counts, examples: this.examples } : undefined;
  }
}
