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

/**
 * Call ``path`` on our API. ``form`` sends application/x-www-form-urlencoded, ``json`` a
 * JSON body. Resolves to the parsed JSON (null for 204); rejects with an ApiError.
 */
export async function api(path, { method = "GET", form, json, signal, auth = true } = {}) {
  const headers = { Accept: "application/json" };
  const token = getToken();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (form) body = new URLSearchParams(form);
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal, credentials: "same-origin" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.status === 401 && auth && token) {
    notifyUnauthorized();
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
