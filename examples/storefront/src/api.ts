import type { TypedDocumentString } from "./gql/graphql";
import { clearSession, sessionToken } from "./session";

export const API_URL: string =
  import.meta.env.VITE_API_URL ?? "http://127.0.0.1:8000/graphql";

/** The session is missing, expired or revoked: the visitor has to log in again. */
export class Unauthenticated extends Error {}

/** The API answered with top-level errors (or not at all). */
export class ApiError extends Error {}

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One operation, typed by the document: its variables in, its data out. */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  const token = sessionToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: globalThis.Response;
  try {
    response = await fetch(API_URL, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    // A refused CORS preflight looks the same to the page as a server that is down.
    throw new ApiError(
      `The account service at ${API_URL} cannot be reached (is it running, and does its CORS_ORIGINS allow this page?).`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Response<TResult>;
  const unauthenticated = body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (response.status === 401 || unauthenticated) {
    clearSession();
    throw new Unauthenticated("Please log in again.");
  }
  if (body.errors?.length || !body.data) {
    throw new ApiError(body.errors?.[0]?.message ?? `The API answered ${response.status}.`);
  }
  return body.data;
}

export interface UserError {
  field?: string[] | null;
  message: string;
}

export function describeErrors(errors: readonly UserError[]): string {
  return errors.map((e) => e.message).join(" ");
}
