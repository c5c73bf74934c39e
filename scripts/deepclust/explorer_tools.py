"""The explorer page's tools for taking images away: find images by name or row, select
points (box or lasso, or a search), and download the selected images' names and clusters as
CSV. A few lines of CustomJS each, over the page's one data source; no server.

The CSV is built in the browser (RFC 4180: a cell holding a comma, quote or line break is
quoted, quotes doubled) and saved through a Blob link, so it works from a file:// page.
"""

# Search: a row number matches that row; any other text matches names containing it
# (case-insensitive). The matches become the selection.
SEARCH_JS = """
const query = cb_obj.value.trim();
const names = source.data.name, rows = source.data.index;
const hits = [];
if (query !== "") {
  const row = /^[0-9]+$/.test(query) ? Number(query) : null;
  const lower = query.toLowerCase();
  for (let i = 0; i < names.length; i++) {
    if (rows[i] == row || String(names[i]).toLowerCase().includes(lower)) hits.push(i);
  }
}
source.selected.indices = hits;
"""
# The selection's size, whenever it changes.
COUNT_JS = """
const n = source.selected.indices.length;
status.text = n ? `${n.toLocaleString("en")} images selected` : hint;
"""
DOWNLOAD_JS = """
const chosen = [...source.selected.indices].sort((a, b) => a - b);
if (!chosen.length) {
  status.text = "Nothing selected: find images by name or row, or draw a box or lasso first.";
  return;
}
const cell = (value) => {
  const text = String(value);
  return /[",\\r\\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
};
const lines = [headers.map(cell).join(",")];
for (const i of chosen) lines.push(fields.map((f) => cell(source.data[f][i])).join(","));
const blob = new Blob([lines.join("\\r\\n") + "\\r\\n"], { type: "text/csv" });
const link = document.createElement("a");
link.href = URL.createObjectURL(blob);
link.download = filename;
document.body.appendChild(link);
link.click();
link.remove();
setTimeout(() => URL.revokeObjectURL(link.href), 60000);
status.text = `downloaded ${chosen.length.toLocaleString("en")} images as ${filename}`;
"""
SELECTION_HINT = "Find images by file name or row, or select points with the box or lasso tool."


def csv_columns(cluster_names, labelled):
    """``(headers, fields)`` of the downloaded CSV: the row and image name, each
    clustering's cluster, the true label when the page has one; the data source's column
    for each (``cluster_<k>`` in ``cluster_names`` order, as explorer._columns names them)."""
    headers = ["row", "image", *cluster_names]
    fields = ["index", "name", *(f"cluster_{k}" for k in range(len(cluster_names)))]
    if labelled:
        headers.append("true label")
        fields.append("label")
    return headers, fields


def selection_tools(source, cluster_names, labelled, filename):
    """The row of widgets above the map: the search box, the download button and a line
    saying what is selected; wired to ``source`` (whose ``name`` and ``index`` columns
    the search reads). ``filename``: the CSV's name."""
    from bokeh.layouts import row
    from bokeh.models import Button, CustomJS, Div, TextInput

    status = Div(text=SELECTION_HINT, width=520, name="selection_status")
    search = TextInput(title="Find images (file name or row, then Enter)", width=320, name="search")
    search.js_on_change("value", CustomJS(args={"source": source}, code=SEARCH_JS))
    source.selected.js_on_change(
        "indices",
        CustomJS(args={"source": source, "status": status, "hint": SELECTION_HINT}, code=COUNT_JS),
    )
    headers, fields = csv_columns(cluster_names, labelled)
    download = Button(label="Download selected as CSV", width=220, name="download")
    args = {
        "source": source,
        "status": status,
        "headers": headers,
        "fields": fields,
        "filename": filename,
    }
    download.js_on_event("button_click", CustomJS(args=args, code=DOWNLOAD_JS))
    return row(search, download, status)
