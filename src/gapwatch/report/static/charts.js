/* gapwatch public report: draw the page's charts.
   Each container [data-spec] names the <script type="application/json"> that holds its
   Vega-Lite spec; Vega-Embed (static/vega-embed.js) draws it as SVG with the page's number
   locale (#chart-locale). The SVG is hidden from assistive technology: its wrapper has
   role="img" and a caption, and the chart's data table is beside it. The charts are drawn one
   after the other, top to bottom, in slices of about 50 ms: the browser paints and answers the
   reader in between (the page is usable before the last chart is drawn). When all
   are drawn, <html data-charts-rendered="true"> ("error" if one failed): tests and PDF
   printing wait for it. A block, not a module, so that the page also works from file:// URLs. */
{
  const options = {
    renderer: "svg", mode: "vega-lite", actions: false, tooltip: false, defaultStyle: false,
    logLevel: 1, // vega.Error: warnings (an empty layer's extent) are for developers
    ast: true, // Vega's expression interpreter: no eval, nothing for a strict CSP to refuse
    formatLocale: JSON.parse(document.getElementById("chart-locale").textContent),
  };

  const draw = async (container) => {
    const spec = JSON.parse(document.getElementById(container.dataset.spec).textContent);
    await vegaEmbed(container, spec, options);
    for (const name of ["role", "aria-roledescription", "aria-label"]) {
      container.removeAttribute(name); // Vega's own; the wrapper's role="img" is the chart's
    }
    const svg = container.querySelector("svg");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
  };

  const drawAll = async () => {
    let failed = 0;
    let slice = performance.now();
    for (const container of document.querySelectorAll("[data-spec]")) {
      try {
        await draw(container);
      } catch (error) {
        failed += 1;
        console.error(`gapwatch: chart ${container.dataset.spec} could not be drawn`, error);
      }
      if (performance.now() - slice > 50) { // let the browser paint and respond
        await new Promise((resolve) => setTimeout(resolve));
        slice = performance.now();
      }
    }
    document.documentElement.dataset.chartsRendered = failed ? "error" : "true";
  };

  drawAll();
}
