"""Hostile text in the real window: 62 XSS payloads arrive as an answer (markdown rendered by
the app), as the user's own message, as conversation titles (renamed in the sidebar), and as the
names of exported files. None may execute: every payload would call `window.__xss.push(n)`, and
the page must hold no event-handler attribute, script-capable element or `javascript:` link
afterwards, and the CSP must not have had to block a script (the sanitizer removes them first)."""

from __future__ import annotations

import re

from test_first_answer import find, find_all, last_assistant, wait, wait_ready
from test_sidebar import text_of

P = "window.__xss.push({n})"

TEMPLATES = [
    "<script>{p}</script>",
    "<img src=x onerror=\"{p}\">",
    "<img src=\"x\" onerror={p}>",
    "<svg onload=\"{p}\"></svg>",
    "<svg><script>{p}</script></svg>",
    "<body onload=\"{p}\">",
    "<iframe src=\"javascript:{p}\"></iframe>",
    "<iframe srcdoc=\"<script>{p}</script>\"></iframe>",
    "<a href=\"javascript:{p}\">click me</a>",
    "[click me](javascript:{p})",
    "[click me](JaVaScRiPt:{p})",
    "[click me](&#106;avascript:{p})",
    "![x](javascript:{p})",
    "<details open ontoggle=\"{p}\">x</details>",
    "<input autofocus onfocus=\"{p}\">",
    "<video><source onerror=\"{p}\"></video>",
    "<audio src=x onerror=\"{p}\"></audio>",
    "<object data=\"javascript:{p}\"></object>",
    "<embed src=\"javascript:{p}\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"{p}\">",
    "<form action=\"javascript:{p}\"><button>go</button></form>",
    "<button formaction=\"javascript:{p}\">go</button>",
    "<div style=\"background:url(javascript:{p})\">x</div>",
    "<marquee onstart=\"{p}\">x</marquee>",
    "<select onfocus=\"{p}\" autofocus>",
    "<textarea onfocus=\"{p}\" autofocus></textarea>",
    "<keygen onfocus=\"{p}\" autofocus>",
    "<isindex type=image src=1 onerror=\"{p}\">",
    "<link rel=import href=\"data:text/html,<script>{p}</script>\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{p}\">",
    "<base href=\"javascript:{p}//\">",
    "<table background=\"javascript:{p}\">",
    "<img src=\"x\" onerror=\"&#x77;indow.__xss.push({n})\">",
    "<img/src/onerror={p}>",
    "<IMG SRC=x oNeRrOr=\"{p}\">",
    "<scr<script>ipt>{p}</scr</script>ipt>",
    "\"><script>{p}</script>",
    "'><img src=x onerror=\"{p}\">",
    "</textarea><script>{p}</script>",
    "</title><script>{p}</script>",
    "<noscript><p title=\"</noscript><img src=x onerror={p}>\">",
    "<svg><animate onbegin=\"{p}\" attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:{p}\"><text x=20 y=20>x</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='{p}'/></svg>#x\"/></svg>",
    "<math href=\"javascript:{p}\">x</math>",
    "<a href=\"data:text/html,<script>{p}</script>\">data</a>",
    "<object data=\"data:text/html,<script>{p}</script>\"></object>",
    "<style>@import 'javascript:{p}';</style>",
    "<div onmouseover=\"{p}\">hover</div>",
    "<span onclick=\"{p}\">click</span>",
    "<p onpointerenter=\"{p}\">enter</p>",
    "<img src=x:x onerror=\"{p}\"/>",
    "`<img src=x onerror=\"{p}\">` <img src=x onerror=\"{p}\">",
    "```html\n<script>{p}</script>\n```\n<script>{p}</script>",
    "<template><script>{p}</script></template>",
    "<xss contenteditable onblur=\"{p}\">x</xss>",
    "<a id=x tabindex=1 onfocusin=\"{p}\"></a>",
    "javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+{p}//'>",
    "<img src=\"x\" onerror=\"eval(atob('d2luZG93Ll9feHNzLnB1c2goMSk='))\">",
    "<svg><set attributeName=onload to=\"{p}\"/></svg>",
    # Remote content (a tracking pixel): never fetched.
    "![pixel {n}](http://127.0.0.1:9/pixel.png)",
    "<img src=\"https://example.com/pixel-{n}.png\">",
]
PAYLOADS = [t.replace("{p}", P).replace("{n}", str(i)) for i, t in enumerate(TEMPLATES)]

ARM_JS = """
window.__xss = [];
window.__cspScripts = [];
window.__cspOther = [];
window.alert = window.confirm = window.prompt = (m) => window.__xss.push('dialog:' + m);
document.addEventListener('securitypolicyviolation', (e) => {
  (e.effectiveDirective.startsWith('script') ? window.__cspScripts : window.__cspOther)
    .push(e.effectiveDirective + ' ' + e.blockedURI);
});
"""

AUDIT_JS = """
const bad = [];
for (const el of document.querySelectorAll('*')) {
  const tag = el.tagName.toLowerCase();
  if (['script', 'iframe', 'object', 'embed', 'base', 'meta', 'link', 'form', 'math'].includes(tag)
      && el.closest('[data-testid="message"], [data-testid="conversation-item"], [data-testid="export-result"]')) {
    bad.push('element ' + tag);
  }
  for (const attr of el.attributes) {
    const name = attr.name.toLowerCase();
    const value = attr.value.replace(/\\s+/g, '').toLowerCase();
    if (name.startsWith('on')) bad.push('handler ' + tag + ' ' + name);
    if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background'].includes(name)
        && (value.startsWith('javascript:') || value.startsWith('data:text/html'))) {
      bad.push('url ' + tag + ' ' + name + '=' + attr.value);
    }
  }
}
return {executed: window.__xss, cspScripts: window.__cspScripts, cspOther: window.__cspOther, bad};
"""


def audit(driver):
    found = driver.execute_script(AUDIT_JS)
    assert found["executed"] == [], found
    assert found["cspScripts"] == [], f"the sanitizer let script through: {found}"
    assert found["bad"] == [], found
    return found


ACTIVE = '//button[@data-testid="conversation-item" and @aria-current="page"]'


def active_title(driver) -> str:
    return text_of(driver, driver.find_element("xpath", ACTIVE))


def rename_active(driver, title: str):
    from selenium.webdriver.common.keys import Keys

    driver.find_element(
        "xpath", ACTIVE + '/following-sibling::div//button[@data-testid="rename-conversation"]'
    ).click()
    box = wait(driver, lambda d: find_all(d, "rename-input"))[0]
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        box, title)
    box.send_keys(Keys.ENTER)
    wait(driver, lambda d: not find_all(d, "rename-input") and title in active_title(d),
         message=f"the title did not show literally: {title}")


def set_composer(driver, text: str):
    box = find(driver, "composer-input")
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        box, text)
    box.click()


def test_no_payload_executes_in_answers_titles_or_exports(app):
    from selenium.webdriver.common.keys import Keys

    assert len(PAYLOADS) >= 50
    driver = app.launch()
    wait_ready(driver)
    driver.execute_script(ARM_JS)
    find(driver, "new-chat").click()

    # 1. Answers and the user's own message: the simulator echoes the message as the answer.
    set_composer(driver, "[[sim:echo]] Payloads follow.\n\n" + "\n\n".join(PAYLOADS))
    find(driver, "composer-input").send_keys(Keys.ENTER)
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=60,
         message="the echoed answer did not complete")
    answer = last_assistant(driver)["text"]
    assert "Payloads follow." in answer and "click me" in answer, answer[:400]
    audit(driver)

    # 2. Conversation titles, renamed in the sidebar, must show as the literal text.
    for payload in PAYLOADS:
        rename_active(driver, payload.replace("\n", " "))
    audit(driver)

    # 3. Exported file names come from the title: safe characters only, and the path is text.
    for payload in PAYLOADS[:10]:
        rename_active(driver, payload.replace("\n", " "))
        before = text_of(driver, find(driver, "export-result")) if find_all(driver, "export-result") else ""
        find(driver, "export-markdown").click()
        wait(driver, lambda d: find_all(d, "export-result")
             and text_of(d, find(d, "export-result")) not in ("", before),
             message="no export path shown")
        shown = text_of(driver, find(driver, "export-result"))
        name = re.search(r"([^/]*\.md)", shown)
        assert name and not re.search(r"[<>\"'`:;=/\\\\]", name.group(1)), shown
    found = audit(driver)
    # Remote content is never fetched: nothing the CSP had to block either.
    assert found["cspOther"] == [], found
    find(driver, "new-chat").click()
