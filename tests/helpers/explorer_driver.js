// Appended to a copy of the cluster explorer page by tests/workflow/test_explorer_browser.py (after a
// head script that records console errors into window.__errors): once the page has drawn,
// it uses the page like a reader with a mouse and writes what it saw after each step into a
// pre element with id "probe" (JSON). CHECK: {colours: {colouring: [hex of each legend
// group]}, first: the colouring shown first, second: the one to switch to, click (optional):
// the start of a legend entry of the second colouring to click last}.
(function () {
  const CHECK = __CHECK__;
  const seen = [];
  const wait = (ms) => new Promise((done) => setTimeout(done, ms));

  async function until(ready, ms) {
    // polls `ready` until true or `ms` have passed (a busy machine paints late); the step
    // is recorded either way and the test judges it
    for (let waited = 0; waited < ms && !ready(); waited += 100) await wait(100);
  }

  function all(selector, root = document) {
    // every element matching `selector`, through Bokeh's shadow roots
    const found = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) found.push(...all(selector, el.shadowRoot));
    }
    return found;
  }

  function mapCanvas() {
    // the largest canvas: the plot's primary layer (legend glyphs have small ones)
    const canvases = all("canvas").filter((c) => c.width * c.height > 0);
    return canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
  }

  function rgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function pixels() {
    const canvas = mapCanvas();
    const ctx = canvas.getContext("2d");
    return { canvas, data: ctx.getImageData(0, 0, canvas.width, canvas.height).data };
  }

  function counts(hexes) {
    // pixels of each colour (within 3 per channel), and the first point centre of each
    const { canvas, data } = pixels();
    const targets = hexes.map(rgb);
    const n = targets.map(() => 0);
    const at = targets.map(() => null);
    for (let p = 0; p < data.length; p += 4) {
      targets.forEach(([r, g, b], k) => {
        if (Math.abs(data[p] - r) <= 3 && Math.abs(data[p + 1] - g) <= 3 && Math.abs(data[p + 2] - b) <= 3) {
          n[k] += 1;
          if (at[k] === null) at[k] = [(p / 4) % canvas.width, Math.floor(p / 4 / canvas.width)];
        }
      });
    }
    return { n, at };
  }

  function clientPoint(canvas, x, y) {
    const rect = canvas.getBoundingClientRect();
    return [rect.left + ((x + 2) * rect.width) / canvas.width, rect.top + ((y + 2) * rect.height) / canvas.height];
  }

  function pointer(el, type, x, y) {
    const init = { clientX: x, clientY: y, bubbles: true, composed: true, isPrimary: true, pointerId: 1, pointerType: "mouse", buttons: type === "pointerdown" ? 1 : 0, button: 0 };
    el.dispatchEvent(new PointerEvent(type, init));
  }

  function record(step, extra) {
    const stripImages = all("img").filter((img) => img.getAttribute("width") === "56");
    const tooltipImages = all("img").filter((img) => img.width === 84 && img.getClientRects().length > 0);
    const tooltips = all(".bk-tooltip-content, .bk-Tooltip").map((t) => t.innerText.trim()).filter((t) => t);
    seen.push(Object.assign({
      step: step,
      errors: window.__errors || [],
      resources: performance.getEntriesByType("resource").map((r) => r.name),
      tooltip_images: tooltipImages.map((img) => ({ src: img.src.slice(0, 22), natural: img.naturalWidth })),
      tooltip_text: tooltips,
      strip_images: stripImages.map((img) => img.src.slice(0, 22)),
      legend_items: all(".bk-item").filter((el) => el.getClientRects().length > 0).map((el) => el.innerText.trim()),
      select: all("select").map((s) => s.value),
      strip_text: all("div").map((d) => d.innerText || "").filter((t) => t.includes("in the legend") || t.includes("of its images")).slice(-1),
    }, extra));
  }

  async function run() {
    const first = CHECK.colours[CHECK.first];
    const second = CHECK.colours[CHECK.second];
    await wait(1500);
    await until(() => counts(first).n.every((v) => v > 0), 8000);
    let c = counts(first);
    record("loaded", { counts: c.n, second_counts: counts(second).n });

    // hover the centre of a point of the first group
    const events = all(".bk-events")[0];
    const [x, y] = clientPoint(mapCanvas(), ...c.at[0]);
    pointer(events, "pointerover", x, y);
    pointer(events, "pointermove", x, y);
    await until(() => all("img").some((img) => img.width === 84 && img.getClientRects().length > 0), 8000);
    record("hovered", { at: [x, y] });
    pointer(events, "pointerout", x, y);

    // click the first group in the legend: its points go, the others stay
    const item = all(".bk-item").filter((el) => el.getClientRects().length > 0)[0];
    pointer(item, "pointerdown", 0, 0);
    await until(() => counts(first).n[0] === 0, 8000);
    record("hidden", { counts: counts(first).n });

    // the selector: colour by the second colouring
    const legend = () => all(".bk-item").filter((el) => el.getClientRects().length > 0).map((el) => el.innerText).join("|");
    const legendBefore = legend();
    const select = all("select")[0];
    select.value = CHECK.second;
    select.dispatchEvent(new Event("input", { bubbles: true }));
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const painted = () => counts(second).n.filter((v) => v > 0).length >= second.length / 2;
    await until(() => legend() !== legendBefore && painted(), 8000);
    await wait(300);
    record("switched", { counts: counts(first).n, second_counts: counts(second).n });

    if (CHECK.click) {
      // click a group by its name: its strip shows the name as text, nothing of it runs
      const named = all(".bk-item").filter((el) => el.getClientRects().length > 0 && el.innerText.trim().startsWith(CHECK.click));
      if (named.length !== 1) throw new Error(`${named.length} legend entries start with ${CHECK.click}`);
      pointer(named[0], "pointerdown", 0, 0);
      const strips = () => all("div").filter((d) => (d.innerText || "").includes("of its images"));
      await until(() => strips().some((d) => d.innerText.includes(CHECK.click)), 8000);
      const strip = strips().slice(-1)[0];
      record("clicked", {
        dialogs: window.__dialogs || [],
        strip_bold: strip ? [...strip.querySelectorAll("b")].map((b) => b.textContent) : [],
        odd_images: all("img").map((img) => img.getAttribute("src")).filter((src) => !src.startsWith("data:image/png")),
      });
    }

    const probe = document.createElement("pre");
    probe.id = "probe";
    probe.textContent = JSON.stringify(seen);
    document.body.appendChild(probe);
  }

  window.addEventListener("load", () => run().catch((err) => {
    const probe = document.createElement("pre");
    probe.id = "probe";
    probe.textContent = JSON.stringify([{ step: "driver failed", error: String(err.stack || err) }]);
    document.body.appendChild(probe);
  }));
})();
