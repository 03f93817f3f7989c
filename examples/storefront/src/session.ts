// The session token lives in sessionStorage: it ends with the tab and is never
// sent anywhere but the API's Authorization header.

const KEY = "account.sessionToken";

export function sessionToken(): string | null {
  return window.sessionStorage.getItem(KEY);
}

export function saveSession(token: string): void {
  window.sessionStorage.setItem(KEY, token);
}

export function clearSession(): void {
  window.sessionStorage.removeItem(KEY);
}
