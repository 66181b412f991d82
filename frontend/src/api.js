// The one way to call the blockgrid API: bearer token, JSON errors, 401 → back to login.
import { isChinese, t } from "./i18n.js";

const TOKEN_KEY = "blockgrid.token";
let unauthorizedHandler = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.code || "http_error";
    this.body = body || {};
  }

  /** The message for people: message_zh in Chinese mode, message in English. */
  get display() {
    if (this.status === 0) return t("error.network");
    const text = isChinese() ? this.body.message_zh || this.body.message : this.body.message;
    return text || t("error.generic", { status: this.status });
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** What to do when the server says the token is no longer valid (set by main.js). */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function notifyUnauthorized() {
  clearToken();
  unauthorizedHandler();
}

async function send(path, { method = "GET", form, json, body, headers = {}, signal, auth = true,
  accept = "application/json" } = {}) {
  const all = { Accept: accept, ...headers };
  const token = getToken();
  if (auth && token) all.Authorization = `Bearer ${token}`;
  let payload = body;
  if (form) payload = new URLSearchParams(form);
  if (json !== undefined) {
    all["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: all, body: payload, signal, credentials: "same-origin" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null);
  }
  if (response.status === 401 && auth && token) notifyUnauthorized();
  return response;
}

/**
 * Call ``path`` and keep what the headers say: resolves to {data, etag, status}. Options
 * as for api(), plus ``headers`` (e.g. If-Match, Idempotency-Key) and ``body`` (FormData).
 */
export async function apiResponse(path, options = {}) {
  const response = await send(path, options);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get("ETag"), status: response.status };
}

/**
 * Call ``path`` on our API. ``form`` sends application/x-www-form-urlencoded, ``json`` a
 * JSON body. Resolves to the parsed JSON (null for 204); rejects with an ApiError.
 */
export async function api(path, options = {}) {
  return (await apiResponse(path, options)).data;
}

/** The bytes of ``path`` (a photo) as a Blob, with the bearer token. */
export async function apiBlob(path, { signal } = {}) {
  const response = await send(path, { signal, accept: "*/*" });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.blob();
}

/** A random UUID (v4), also where crypto.randomUUID is missing (plain-HTTP intranets). */
export function randomId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
