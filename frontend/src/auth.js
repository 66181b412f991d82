// Signing in and out (OAuth2 password form); the bearer token lives in sessionStorage.
import { api, clearToken, getToken, setToken } from "./api.js";

export async function login(username, password) {
  const token = await api("/auth/token", {
    method: "POST", form: { username, password, grant_type: "password" }, auth: false,
  });
  setToken(token.access_token);
  return token;
}

/** Revoke the token on the server (best effort), then forget it here. */
export async function logout() {
  if (getToken()) {
    try {
      await api("/auth/logout", { method: "POST" });
    } catch { /* the token may already be gone: signing out locally is what matters */ }
  }
  clearToken();
}

export function me() {
  return api("/auth/me");
}

export function isSignedIn() {
  return Boolean(getToken());
}

/** The area a user's map opens on: a grid worker's own grid, otherwise their scope. */
export function homeArea(user) {
  if (user.role === "grid_worker" && user.grid_codes?.length) return user.grid_codes[0];
  return user.scope_code;
}
