// Every value written into the page goes through `html`, which escapes it; only
// fragments built by `html` itself are inserted as markup.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export class SafeHtml {
  constructor(readonly markup: string) {}
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function toMarkup(value: Value): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(toMarkup).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let markup = strings[0] ?? "";
  values.forEach((value, index) => {
    markup += toMarkup(value) + (strings[index + 1] ?? "");
  });
  return new SafeHtml(markup);
}

/** A link from the API is followed only if it is http(s): never `javascript:`. */
export function safeUrl(url: string | null | undefined): string {
  if (!url) return "#";
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "#";
  } catch {
    return "#";
  }
}

export function render(root: Element, content: SafeHtml): void {
  root.innerHTML = content.markup;
}
