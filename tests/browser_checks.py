"""Checks run inside a page by the browser tests of several channels (Playwright `page.evaluate`)."""

# Text contrast of every visible text element against its effective background (WCAG formula):
# a list of {text, ratio, size, cls}.
CONTRAST = """() => {
  const lum = (c) => {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const bg = (e) => {  // the first background that is not (nearly) transparent
    for (; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !e.getClientRects().length || e.closest('[hidden]')) continue;
    const st = getComputedStyle(e);
    if (st.visibility === 'hidden' || e.disabled) continue;
    const fg = rgba(st.color).slice(0, 3), back = bg(e);
    const [a, b] = [lum(fg), lum(back)].sort((x, y) => y - x);
    out.push({ text: e.textContent.trim().slice(0, 20), ratio: (a + 0.05) / (b + 0.05), size: parseFloat(st.fontSize),
               cls: e.className || e.tagName });
  }
  return out;
}"""
