/**
 * Domain errors and the one table that maps them to HTTP problem details (RFC 9457).
 *
 * Anything a caller got wrong is a 4xx with a precise `detail`; anything else is a generic 500
 * (logged with its stack, never shown to the client).
 */
export type ProblemType =
  | 'bad-request'
  | 'not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'payload-too-large'
  | 'unprocessable'
  | 'overloaded'
  | 'upstream-timeout'
  | 'upstream-failed'
  | 'writing-disabled'
  | 'scene-unreadable';

const TABLE: Record<ProblemType, { status: number; title: string }> = {
  'bad-request': { status: 400, title: 'Bad request' },
  'not-found': { status: 404, title: 'Not found' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  unprocessable: { status: 422, title: 'Unprocessable input' },
  'writing-disabled': { status: 403, title: 'Writing is disabled' },
  overloaded: { status: 503, title: 'Service overloaded' },
  'upstream-timeout': { status: 504, title: 'Remote source timed out' },
  'upstream-failed': { status: 502, title: 'Remote source failed' },
  'scene-unreadable': { status: 422, title: 'Scene data unreadable' },
};

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

/** An error whose message is safe to show to the caller. */
export class GranaryError extends Error {
  constructor(
    readonly kind: ProblemType,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GranaryError';
  }
  get status(): number {
    return TABLE[this.kind].status;
  }
  toProblem(instance?: string): Problem {
    const { status, title } = TABLE[this.kind];
    return { type: `https://granary.dev/problems/${this.kind}`, title, status, detail: this.message, ...(instance ? { instance } : {}), ...this.extra };
  }
}

export const badRequest = (detail: string, extra?: Record<string, unknown>) => new GranaryError('bad-request', detail, extra);
export const notFound = (detail: string, extra?: Record<string, unknown>) => new GranaryError('not-found', detail, extra);

/** Serialisable form used to carry a GranaryError across a worker-thread boundary. */
export interface WireError {
  kind: ProblemType | 'internal';
  message: string;
  extra?: Record<string, unknown>;
}

export function toWire(e: unknown): WireError {
  if (e instanceof GranaryError) return { kind: e.kind, message: e.message, extra: e.extra };
  return { kind: 'internal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.kind === 'internal') return new Error(w.message);
  return new GranaryError(w.kind, w.message, w.extra ?? {});
}
