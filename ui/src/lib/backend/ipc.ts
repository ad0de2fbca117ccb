// The only module that talks to Tauri. Everything else calls these typed functions, so the
// rest of the UI can be tested without a backend.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";

import { toAppError } from "./errors";
import type {
  AccountInfo,
  AppInfo,
  DecisionName,
  DocumentView,
  LedgerEvent,
  LedgerStatus,
  QueueEntry,
  RecommendationName,
  ReviewInfo,
  Role,
  ReviewSummary,
  SessionInfo,
  SettingsInput,
  VerifyResult,
} from "./types";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const appInfo = (): Promise<AppInfo> => call("app_info");

/** What the drop handler and the file dialog both call. */
export const addDocuments = (paths: string[]): Promise<QueueEntry[]> =>
  call("add_documents", { paths });

export const listQueue = (): Promise<QueueEntry[]> => call("list_queue");

/** Drops a queued document or kills its running scan; never waits for the parser. */
export const removeDocument = (id: number): Promise<void> => call("remove_document", { id });

export function onQueueRemoved(cb: (id: number) => void): Promise<UnlistenFn> {
  return listen<number>("queue-removed", (e) => cb(e.payload));
}

export const getDocument = (id: number): Promise<DocumentView> => call("get_document", { id });

/** The scanned file's bytes (checked against its scan hash by the backend). */
export async function readDocumentBytes(id: number): Promise<Uint8Array> {
  const buf = await call<ArrayBuffer>("read_document_bytes", { id });
  return new Uint8Array(buf);
}

export function onQueueChanged(cb: (row: QueueEntry) => void): Promise<UnlistenFn> {
  return listen<QueueEntry>("queue-changed", (e) => cb(e.payload));
}

export type DragState = "over" | "drop" | "leave";

/** Native drag-and-drop onto the window: Linux delivers real paths. */
export function onDragDrop(cb: (state: DragState, paths: string[]) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((e) => {
    const p = e.payload;
    if (p.type === "drop") cb("drop", p.paths);
    else if (p.type === "leave") cb("leave", []);
    else cb("over", []);
  });
}

/** The native open dialog; returns the chosen paths (empty when cancelled). */
export async function pickPaths(folders: boolean, filters = true): Promise<string[]> {
  const chosen = await open({
    multiple: true,
    directory: folders,
    ...(filters && !folders
      ? {
          filters: [
            {
              name: "Documents",
              extensions: ["pdf", "docx", "docm", "txt", "md", "csv", "jpg", "jpeg", "png", "tif", "tiff", "webp", "gif"],
            },
          ],
        }
      : {}),
  });
  if (chosen === null) return [];
  return Array.isArray(chosen) ? chosen : [chosen];
}

/** One watchlist file, or null when cancelled. */
export async function pickFile(extensions: string[]): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: [{ name: "", extensions }] });
  return typeof chosen === "string" ? chosen : null;
}

/** One watchlist file for scans from now on; null clears it. Returns the file in use. */
export const setWatchlist = (path: string | null): Promise<string | null> =>
  call("set_watchlist", { path });

/** Writes settings.toml and puts the watchlist and limits in force; returns the new info. */
export const saveSettings = (settings: SettingsInput): Promise<AppInfo> =>
  call("save_settings", { settings });

// ---- Ledger ----

export const ledgerStatus = (): Promise<LedgerStatus> => call("ledger_status");

export const initLedger = (user: string, password: string): Promise<SessionInfo> =>
  call("init_ledger", { user, password });

export const signIn = (user: string, password: string): Promise<SessionInfo> =>
  call("sign_in", { user, password });

export const signOut = (): Promise<void> => call("sign_out");

/** Opens (or resumes) the signed-in reviewer's review of a scanned document. */
export const openReview = (docId: number): Promise<ReviewInfo> => call("open_review", { docId });

export const decideFinding = (
  reviewId: number,
  finding: number,
  decision: DecisionName,
  reason: string,
): Promise<ReviewInfo> => call("decide_finding", { reviewId, finding, decision, reason });

export const submitReview = (reviewId: number, recommendation: RecommendationName): Promise<ReviewInfo> =>
  call("submit_review", { reviewId, recommendation });

export const listSubmitted = (): Promise<ReviewSummary[]> => call("list_submitted");

export const listApproved = (): Promise<ReviewSummary[]> => call("list_approved");

export const getReview = (reviewId: number): Promise<ReviewInfo> => call("get_review", { reviewId });

export const approveReview = (reviewId: number, password: string): Promise<ReviewInfo> =>
  call("approve_review", { reviewId, password });

export const returnReview = (reviewId: number, reason: string): Promise<ReviewInfo> =>
  call("return_review", { reviewId, reason });

export const ledgerEvents = (): Promise<LedgerEvent[]> => call("ledger_events");

export const verifyLedger = (): Promise<VerifyResult> => call("verify_ledger");

/** Writes the export where the user chose; returns the path written. */
export async function exportLedger(): Promise<string | null> {
  const path = await save({ defaultPath: "clearance-ledger-export.json", filters: [{ name: "JSON", extensions: ["json"] }] });
  if (path === null) return null;
  return call("export_ledger", { path });
}

/** The printable release certificate (HTML) of an approved review. */
export const certificate = (reviewId: number): Promise<string> => call("certificate", { reviewId });

/** Saves the certificate where the user chose; returns the path written. */
export async function saveCertificate(reviewId: number): Promise<string | null> {
  const path = await save({ defaultPath: `clearance-certificate-${reviewId}.html`, filters: [{ name: "HTML", extensions: ["html"] }] });
  if (path === null) return null;
  return call("save_certificate", { reviewId, path });
}

// ---- Accounts (administrators only; src-tauri/commands/accounts.rs) ----

/** Every account, active or not, by name. */
export const listAccounts = (): Promise<AccountInfo[]> => call("list_accounts");

/** Adds an account; returns the new list. */
export const addAccount = (name: string, password: string, roles: Role[]): Promise<AccountInfo[]> =>
  call("add_account", { name, password, roles });

/** Replaces an account's roles; returns the new list. */
export const setAccountRoles = (name: string, roles: Role[]): Promise<AccountInfo[]> =>
  call("set_account_roles", { name, roles });

/** Deactivates an account (kept in the ledger, can no longer sign in); returns the new list. */
export const deactivateAccount = (name: string): Promise<AccountInfo[]> => call("deactivate_account", { name });
