// Appended to a copy of Snakemake's HTML report by tests/workflow/test_html_report_browser.py: once the
// page has loaded, it clicks through the report like a reader (STEPS: a menu entry's visible
// text, or "<info>" / "<view>" for the first result's info and eye buttons) and, after each
// step, writes what the page shows into a pre element with id "probe" (JSON) for the test.
(function () {
  const STEPS = __STEPS__;
  const shown = [];
  const root = () => document.querySelector("#app");

  function byText(text) {
    // the innermost element inside a link (a menu entry, not the page title or the workflow
    // description) whose whole text is `text`
    return [...root().querySelectorAll("a *, a")].find(
      (n) =>
        n.textContent.trim() === text &&
        ![...n.children].some((c) => c.textContent.trim() === text)
    );
  }

  function target(step) {
    if (step === "<info>") return root().querySelector("tbody a[iconname='information-circle']");
    if (step === "<view>") {
      // only in-page views (images, PDFs); other files are download links
      const eye = root().querySelector("tbody a[iconname='eye']");
      return eye && eye.getAttribute("href") === "#" ? eye : null;
    }
    return byText(step);
  }

  function record(step, found) {
    const png = root().querySelector("img[src^='data:image/png']");
    const frame = root().querySelector("iframe");
    shown.push({
      step: step,
      found: found,
      text: root().innerText,
      rows: root().querySelectorAll("tbody tr").length,
      png_width: png ? png.naturalWidth : null,
      iframe: frame ? frame.getAttribute("src").slice(0, 40) : null,
      downloads: [...root().querySelectorAll("tbody a[download]")].map((a) => ({
        name: a.getAttribute("download"),
        href: a.getAttribute("href").length < 1e6 ? a.getAttribute("href") : null,
      })),
    });
  }

  function run(i) {
    if (i === STEPS.length) {
      const probe = document.createElement("pre");
      probe.id = "probe";
      probe.textContent = JSON.stringify(shown);
      document.body.appendChild(probe);
      return;
    }
    const node = target(STEPS[i]);
    if (node) node.click();
    setTimeout(() => {
      record(STEPS[i], Boolean(node));
      run(i + 1);
    }, 500);
  }

  window.addEventListener("load", () =>
    setTimeout(() => {
      record("<loaded>", true);
      run(0);
    }, 500)
  );
})();
