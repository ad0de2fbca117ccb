// Transfer types of the backend, mirrored by hand from src-tauri/dto.rs and the
// clearance-model crate (whose JSON names are snake_case; the shell's own DTOs are camelCase).

export type Format = "pdf" | "docx" | "image" | "text";

export const SOURCES = [
  "body", "header", "footer", "footnote", "endnote", "text-box", "comment",
  "tracked-change", "hidden", "metadata", "image-metadata", "annotation", "ocr",
] as const;
export type Source = (typeof SOURCES)[number];

/** Display order, as `Category::ALL` in the model crate. */
export const CATEGORIES = [
  "classification-marking", "failed-redaction", "hidden-content", "watchlist-term",
  "restricted-site", "coordinates", "gps-metadata", "military-unit",
  "procurement-sensitive", "personal-id", "document-metadata",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `[x0, y0, x1, y1]`; PDF page space (points, y up) or image pixels (y down). */
export type Rect = [number, number, number, number];

export interface Span {
  segment: number;
  /** UTF-8 byte offset into the segment's text. */
  start: number;
  end: number;
}

export interface GeoPoint {
  lat: number;
  lon: number;
}

export interface Finding {
  category: Category;
  rule: string;
  severity: Severity;
  text: string;
  page: number | null;
  source: Source;
  part?: string | null;
  context: string;
  bbox: Rect | null;
  boxes?: Rect[];
  explanation: string;
  span?: Span | null;
  position?: GeoPoint;
  /** Mean OCR confidence 0–100, only for text read from a picture. */
  confidence?: number;
}

export interface Segment {
  text: string;
  source: Source;
  page: number | null;
  part: string | null;
  label: string | null;
  confidence?: number;
}

export interface MetaField {
  part: string;
  key: string;
  value: string;
  page?: number;
}

export interface GpsPoint {
  lat: number;
  lon: number;
  part: string;
  page?: number;
}

export interface ImageInfo {
  part: string;
  page?: number;
  width: number | null;
  height: number | null;
  kind: string | null;
}

export interface PageInfo {
  page: number;
  media_box: Rect;
}

export interface ExtractedDocument {
  format: Format;
  pages: number | null;
  page_info?: PageInfo[];
  segments: Segment[];
  metadata: MetaField[];
  gps: GpsPoint[];
  images: ImageInfo[];
  warnings: string[];
}

export interface DocumentReport {
  path: string;
  sha256: string;
  format: Format | null;
  pages: number | null;
  findings: Finding[];
  errors: string[];
  warnings: string[];
  content?: ExtractedDocument;
}

export type ScanState =
  | { kind: "queued" }
  | { kind: "scanning" }
  | { kind: "scanned"; findings: number }
  | { kind: "failed"; reason: string };

export interface QueueEntry {
  id: number;
  path: string;
  name: string;
  state: ScanState;
  format: Format | null;
  pages: number | null;
  sha256: string | null;
}

export interface DocumentView {
  entry: QueueEntry;
  report: DocumentReport;
}

export interface AppInfo {
  version: string;
  startupPaths: string[];
  dbPath: string;
  rules: string | null;
  /** settings.toml, read at start and written by the settings screen. */
  settingsPath: string;
  /** Why settings.toml could not be used at start (the app runs with defaults). */
  settingsError: string | null;
  limits: Limits;
  intakeFolder: string | null;
  /** The interface language saved in settings.toml. */
  language: string | null;
  /** What settings.toml holds; null = not set (the default applies). */
  saved: SettingsInput;
}

/** Worker limits in force (src-tauri/dto.rs `LimitsDto`). */
export interface Limits {
  timeoutSecs: number;
  memoryMib: number;
  parallelism: number;
}

/** settings.toml as saved, shown and sent back by the settings screen (src-tauri/dto.rs `SavedSettingsDto`). */
export interface SettingsInput {
  watchlist: string | null;
  intakeFolder: string | null;
  timeoutSecs: number | null;
  memoryMib: number | null;
  parallelism: number | null;
  language: string | null;
}

// ---- Ledger (src-tauri/commands/ledger.rs) ----

export type Role = "admin" | "reviewer" | "supervisor";

export interface SessionInfo {
  user: string;
  roles: Role[];
}

/** An account as the administrator's accounts screen lists it (src-tauri/commands/accounts.rs). */
export interface AccountInfo {
  name: string;
  roles: Role[];
  active: boolean;
  createdAt: string;
  /** When a lock after wrong passwords ends, while the account is locked. */
  lockedUntil: string | null;
}

export interface LedgerStatus {
  initialized: boolean;
  dbPath: string;
  session: SessionInfo | null;
}

export type DecisionName = "redact" | "release" | "false-positive";
export type RecommendationName = "release" | "release-with-redactions" | "withhold";
export type ReviewStateName = "open" | "submitted" | "returned" | "approved";

export interface DispositionInfo {
  finding: number;
  decision: DecisionName;
  reason: string;
  by: string;
  at: string;
}

export interface ReviewInfo {
  id: number;
  path: string;
  sha256: string;
  reviewer: string;
  state: ReviewStateName;
  findingCount: number;
  /** The findings as recorded when the review was opened; decisions index into these. */
  findings: Finding[];
  dispositions: DispositionInfo[];
  recommendation: RecommendationName | null;
  returnReason: string | null;
  approvedBy: string | null;
}

export interface ReviewSummary {
  id: number;
  path: string;
  sha256: string;
  reviewer: string;
  state: ReviewStateName;
  recommendation: RecommendationName | null;
  findingCount: number;
  updatedAt: string;
}

export interface LedgerEvent {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  detail: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  signatures: number;
  message: string;
}
