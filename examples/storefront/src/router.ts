// Paths, not hashes: sign-in links land on /account/authenticate#session_token=...,
// so the server (vite, or any static host) answers every path with index.html.

export type Params = Record<string, string>;

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** Links marked `data-link` change the page without a reload. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-link]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}

export function orderPath(id: string): string {
  return `/account/orders/${encodeURIComponent(id)}`;
}

export function ticketPath(id: string): string {
  return `/account/tickets/${encodeURIComponent(id)}`;
}
