/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's GraphQL endpoint; http://127.0.0.1:8000/graphql (the demo) by default. */
  readonly VITE_API_URL?: string;
}
