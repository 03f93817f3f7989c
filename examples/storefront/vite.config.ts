import { defineConfig } from "vite";

// 127.0.0.1:3000 is the API's default STOREFRONT_URL, where sign-in links land.
const server = { host: "127.0.0.1", port: 3000, strictPort: true };

export default defineConfig({ server, preview: server });
