/** Markup that is already safe to embed; everything else is escaped. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Values a template may embed: text is escaped, arrays are joined, nullish/false vanish. */
export type HtmlValue = string | number | SafeHtml | readonly HtmlValue[] | undefined | null | false;

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('\n');
  return escapeHtml(String(value));
}

/** Tagged template that escapes every interpolation, so user-controlled text cannot inject markup. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

// Inline so the page needs no other request; sized for a phone first.
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d1d1f;line-height:1.45}
main{max-width:28rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin:0 0 .75rem}
.badge{display:inline-block;font-size:.75rem;background:#ffe8a3;color:#5c4400;border-radius:4px;padding:.1rem .4rem;margin-bottom:.75rem}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;margin-bottom:.5rem}
.option{display:flex;gap:.6rem;align-items:flex-start;padding:.7rem;border:1px solid #d0d4da;border-radius:8px;margin-bottom:.5rem}
.option input{margin-top:.25rem;width:1.1rem;height:1.1rem}
.option small{display:block;color:#555}
button{width:100%;font-size:1rem;padding:.8rem;border-radius:8px;border:0;margin-top:.5rem;cursor:pointer}
.primary{background:#0a5cff;color:#fff}
.secondary{background:#e4e7ec;color:#1d1d1f}
.error{background:#fde7e9;color:#8a1020;border-radius:8px;padding:.6rem .8rem;margin-bottom:1rem}
ul{padding-left:1.2rem}
label{display:block;font-weight:600;margin:.6rem 0 .25rem}
input[type=text],input[type=password]{width:100%;font-size:1rem;padding:.6rem;border:1px solid #d0d4da;border-radius:8px}
h2{font-size:1rem;margin:1.25rem 0 .5rem}
.users{list-style:none;padding:0;margin:0}
.users li{padding:.4rem 0;border-top:1px solid #eceef1}
.users small{display:block;color:#555}
`;

/** A complete HTML document around `body`. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
<div class="card">
<span class="badge">TrueLayer sandbox simulator</span>
${body}
</div>
</main>
</body>
</html>
`.value;
}
