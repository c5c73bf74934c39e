// Appended to a copy of the cluster explorer page by tests/workflow/test_explorer_browser.py
// (after the head script that records console errors): once the page has drawn, it finds
// images by name in the search box, downloads them, draws a box with the box-select tool
// and downloads that selection, as a reader with a mouse and keyboard would. Each download
// is caught where the page hands it to the browser (the Blob link it clicks) and read back.
// What it saw goes into a pre element with id "probe" (JSON). QUERY: the search text.
(function () {
  const QUERY = __QUERY__;
  const seen = [];
  const wait = (ms) => new Promise((done) => setTimeout(done, ms));
  let downloads = [];
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) downloads.push({ name: this.download, href: this.href });
    else click.call(this);
  };

  function all(selector, root = document) {
    const found = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) found.push(...all(selector, el.shadowRoot));
    }
    return found;
  }

  function status() {
    return all("div").map((d) => d.innerText || "").filter((t) => / selected|Nothing selected|downloaded /.test(t)).slice(-1)[0] || "";
  }

  async function download(step) {
    downloads = [];
    const button = all("button").filter((b) => b.innerText.includes("Download selected"))[0];
    button.click();
    await wait(500);
    const got = downloads[0];
    const text = got ? await (await fetch(got.href)).text() : null;
    seen.push({ step: step, status: status(), file: got ? got.name : null, csv: text, errors: window.__errors || [] });
  }

  function pointer(el, type, x, y) {
    const init = { clientX: x, clientY: y, bubbles: true, composed: true, isPrimary: true, pointerId: 1, pointerType: "mouse", buttons: type === "pointerup" ? 0 : 1, button: 0 };
    el.dispatchEvent(new PointerEvent(type, init));
  }

  async function run() {
    await wait(1500);
    await download("nothing selected");

    // type the query into the search box and press Enter (the input's change event)
    const input = all("input").filter((i) => i.type === "text")[0];
    input.value = QUERY;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await wait(500);
    await download("searched");

    // the box-select tool from the toolbar, then a drag over the middle of the map
    const button = all(".bk-tool-icon-box-select")[0].getRootNode().host;  // the tool's button
    const at = button.getBoundingClientRect();
    pointer(button, "pointerdown", at.left + 5, at.top + 5);
    pointer(button, "pointerup", at.left + 5, at.top + 5);
    await wait(300);
    const events = all(".bk-events")[0];
    const rect = events.getBoundingClientRect();
    const [x0, y0] = [rect.left + rect.width * 0.3, rect.top + rect.height * 0.3];
    const [x1, y1] = [rect.left + rect.width * 0.55, rect.top + rect.height * 0.6];
    pointer(events, "pointerdown", x0, y0);
    for (let k = 1; k <= 10; k++) {
      pointer(events, "pointermove", x0 + ((x1 - x0) * k) / 10, y0 + ((y1 - y0) * k) / 10);
      await wait(30);
    }
    pointer(events, "pointerup", x1, y1);
    await wait(500);
    await download("boxed");

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
