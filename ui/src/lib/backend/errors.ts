// The backend's one error shape, `{code, message}` (src-tauri/error.rs). The UI branches on
// `code` only; `message` is for people.

/** Every code the backend sends; must match `ErrorCode` in src-tauri/error.rs (a Rust test
 * checks that each of its codes appears here). */
export const ERROR_CODES = [
  "not-found",
  "invalid-argument",
  "io",
  "file-changed",
  "too-large",
  "not-ready",
  "not-signed-in",
  "forbidden",
  "bad-credentials",
  "conflict",
  "ledger",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Turns whatever a failed `invoke` rejected with into an `AppError`. */
export function toAppError(raw: unknown): AppError {
  if (raw instanceof AppError) return raw;
  if (typeof raw === "object" && raw !== null) {
    const { code, message } = raw as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code)) {
      return new AppError(code as ErrorCode, typeof message === "string" ? message : code);
    }
  }
  if (raw instanceof Error) return new AppError("internal", raw.message);
  return new AppError("internal", typeof raw === "string" ? raw : "unexpected error");
}
