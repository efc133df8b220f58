import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../src/lib/markdown";

const PAYLOADS: string[] = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  '<img src=x onerror="alert(1)">',
  "<img src=x OnErRoR=alert(1)>",
  "<IMG SRC=javascript:alert(1)>",
  "<img src=`x`onerror=alert(1)>",
  "<svg onload=alert(1)>",
  "<svg><script>alert(1)</script></svg>",
  "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  "<iframe src=\"javascript:alert(1)\"></iframe>",
  "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
  "<object data=\"javascript:alert(1)\"></object>",
  "<embed src=\"javascript:alert(1)\">",
  "<form action=\"javascript:alert(1)\"><input type=submit></form>",
  "<button formaction=javascript:alert(1)>x</button>",
  "<a href=\"javascript:alert(1)\">x</a>",
  "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
  "<a href=\"  javascript:alert(1)\">x</a>",
  "<a href=\"java\tscript:alert(1)\">x</a>",
  "<a href=\"&#106;avascript:alert(1)\">x</a>",
  "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
  "<a href=\"vbscript:msgbox(1)\">x</a>",
  "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
  "[click](javascript:alert(1))",
  "[click](JAVASCRIPT:alert(1))",
  "[click](javascript&#58;alert(1))",
  "[click](data:text/html,<script>alert(1)</script>)",
  "[click](vbscript:alert(1))",
  "[x](<javascript:alert(1)>)",
  "[ref][1]\n\n[1]: javascript:alert(1)",
  "![x](javascript:alert(1))",
  "![x\" onerror=\"alert(1)](https://example.com/a.png)",
  "<javascript:alert(1)>",
  "<div onclick=\"alert(1)\">x</div>",
  "<div ONMOUSEOVER=alert(1)>x</div>",
  "<p onMouseOver=\"alert(1)\">x</p>",
  "<body onload=alert(1)>",
  "<details open ontoggle=alert(1)>",
  "<video><source onerror=\"alert(1)\"></video>",
  "<audio src=x onerror=alert(1)>",
  "<input autofocus onfocus=alert(1)>",
  "<select onfocus=alert(1) autofocus>",
  "<textarea onfocus=alert(1) autofocus>",
  "<marquee onstart=alert(1)>x</marquee>",
  "<p style=\"background:url(javascript:alert(1))\">x</p>",
  "<span style=\"position:fixed;inset:0\">cover</span>",
  "<style>*{display:none}</style>",
  "<link rel=stylesheet href=//evil.example/x.css>",
  "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
  "<base href=\"javascript:alert(1)//\">",
  "<template><script>alert(1)</script></template>",
  "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
  "<a href=x onclick=alert(1)>x</a>",
  "**bold <img src=x onerror=alert(1)>**",
  "`code` <svg/onload=alert(1)>",
  "> quote <iframe src=//evil.example></iframe>",
  "- item <script>alert(1)</script>",
  "| a | b |\n| - | - |\n| <img src=x onerror=alert(1)> | <a href=javascript:alert(1)>x</a> |",
  "<<script>script>alert(1)<</script>/script>",
  "<img src=\"x\" onerror=\"alert(1)\"/ >",
  "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
  "<isindex action=javascript:alert(1) type=image>",
  "<frameset onload=alert(1)>",
];

const DANGEROUS_TAGS = "script, iframe, frame, frameset, object, embed, form, input, button, textarea, select, style, link, meta, base, svg, math, img, video, audio, template";

function parse(html: string): HTMLElement {
  const container = document.createElement("div");
  container.innerHTML = html;
  return container;
}

function problems(html: string): string[] {
  const root = parse(html);
  const found: string[] = [];
  for (const element of root.querySelectorAll(DANGEROUS_TAGS)) found.push(`<${element.tagName.toLowerCase()}>`);
  for (const element of root.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${name} on <${element.tagName.toLowerCase()}>`);
      if (name === "style") found.push("style attribute");
      if (/^(javascript|vbscript|data):/.test(value)) found.push(`${name}=${attribute.value}`);
    }
  }
  return found;
}

describe("renderMarkdown sanitising", () => {
  it("has a substantial payload list", () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(PAYLOADS.map((p) => [p]))("neutralises %s", (payload) => {
    const html = renderMarkdown(payload);
    expect(problems(html)).toEqual([]);
    // Whatever remains must be inert text, never a live handler.
    expect(html).not.toMatch(/<[^>]+\son\w+\s*=/i);
  });

  it("shows raw HTML as text rather than dropping the words", () => {
    const root = parse(renderMarkdown("Use <b>bold</b> here"));
    expect(root.querySelector("b")).toBeNull();
    expect(root.textContent).toContain("<b>bold</b>");
  });

  it("the checker itself notices executable content", () => {
    expect(problems('<img src=x onerror="alert(1)">')).not.toEqual([]);
    expect(problems('<a href="javascript:alert(1)">x</a>')).not.toEqual([]);
    expect(problems("<script></script>")).not.toEqual([]);
  });
});

describe("renderMarkdown formatting", () => {
  it("renders lists", () => {
    const root = parse(renderMarkdown("- one\n- two\n\n1. first\n2. second"));
    expect(root.querySelectorAll("ul > li")).toHaveLength(2);
    expect(root.querySelectorAll("ol > li")).toHaveLength(2);
  });

  it("renders code blocks with their text intact", () => {
    const root = parse(renderMarkdown("```python\nif a < b:\n    print('<hi>')\n```"));
    const code = root.querySelector("pre > code");
    expect(code).not.toBeNull();
    expect(code?.textContent).toBe("if a < b:\n    print('<hi>')\n");
  });

  it("renders tables", () => {
    const root = parse(renderMarkdown("| Region | Cost |\n| --- | --- |\n| us-east-1 | 3 |\n| eu-west-1 | 4 |"));
    expect(root.querySelectorAll("table th")).toHaveLength(2);
    expect(root.querySelectorAll("table tbody tr")).toHaveLength(2);
  });

  it("renders safe links with rel and without target", () => {
    const root = parse(renderMarkdown("See [the docs](https://docs.aws.amazon.com/bedrock/) or mail [us](mailto:a@b.example)."));
    const links = root.querySelectorAll("a");
    expect(links).toHaveLength(2);
    expect(links[0].getAttribute("href")).toBe("https://docs.aws.amazon.com/bedrock/");
    expect(links[0].getAttribute("rel")).toBe("noopener noreferrer");
    expect(links[0].hasAttribute("target")).toBe(false);
    expect(links[1].getAttribute("href")).toBe("mailto:a@b.example");
  });

  it("renders emphasis, headings and inline code", () => {
    const root = parse(renderMarkdown("# Title\n\n**bold** and _it_ and `x < y`"));
    expect(root.querySelector("h1")?.textContent).toBe("Title");
    expect(root.querySelector("strong")?.textContent).toBe("bold");
    expect(root.querySelector("em")?.textContent).toBe("it");
    expect(root.querySelector("code")?.textContent).toBe("x < y");
  });

  it("replaces images by their description", () => {
    const root = parse(renderMarkdown("![a chart](https://example.com/c.png)"));
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toContain("a chart");
  });
});

describe("code highlighting", () => {
  it("highlights a known language with classes only, and keeps the code text exact", () => {
    const source = "```python\ndef total(rows):\n    return sum(r['amount'] for r in rows)  # <b>x</b>\n```";
    const html = renderMarkdown(source);
    const box = document.createElement("div");
    box.innerHTML = html;
    const code = box.querySelector("pre > code")!;
    expect(code.className).toBe("language-python");
    expect(code.querySelector(".hljs-keyword")?.textContent).toBe("def");
    expect(code.querySelector(".hljs-string")).not.toBeNull();
    expect(code.textContent).toBe("def total(rows):\n    return sum(r['amount'] for r in rows)  # <b>x</b>\n");
    expect(box.querySelector("b")).toBeNull();
    expect(html).not.toMatch(/style=|on\w+=/);
  });

  it("leaves unknown languages and hostile labels as escaped plain code", () => {
    const box = document.createElement("div");
    box.innerHTML = renderMarkdown('```"><img src=x onerror=alert(1)>\n<script>alert(1)</script>\n```');
    expect(box.querySelector("img, script")).toBeNull();
    expect(box.querySelector("pre > code")!.textContent).toBe("<script>alert(1)</script>\n");
  });
});
