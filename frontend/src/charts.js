// Small bar charts with Chart.js (served at /vendor/chart.js, loaded on first use).
const charts = new Set();
let library = null;

async function chartClass() {
  if (!library) {
    library = import("chart.js").then((m) => {
      m.Chart.register(m.BarController, m.BarElement, m.CategoryScale, m.LinearScale, m.Tooltip);
      m.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      m.Chart.defaults.font.size = 11;
      m.Chart.defaults.color = "#5c6875";
      return m.Chart;
    });
  }
  return library;
}

/** Charts whose canvas left the page are destroyed (their panel was redrawn). */
function sweep() {
  for (const chart of charts) {
    if (!chart.canvas?.isConnected) {
      chart.destroy();
      charts.delete(chart);
    }
  }
}

/**
 * Draw a bar chart on ``canvas``: ``labels`` and ``values``, one colour or one per bar;
 * ``horizontal`` for a league table; ``format`` turns a value into tooltip/axis text.
 */
export async function barChart(canvas, { labels, values, colors, horizontal = false, format = String,
  max, title }) {
  const Chart = await chartClass();
  sweep();
  if (!canvas.isConnected) return null;
  const axis = { beginAtZero: true, max, ticks: { callback: (v) => format(v), precision: 0 },
    grid: { color: "#e0e5ea" } };
  const chart = new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: title || "", data: values, backgroundColor: colors || "#3182bd",
      borderRadius: 3, maxBarThickness: horizontal ? 16 : 28 }] },
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (item) => format(item.raw) } } },
      scales: horizontal
        ? { x: axis, y: { grid: { display: false }, ticks: { autoSkip: false } } }
        : { y: axis, x: { grid: { display: false } } },
    },
  });
  charts.add(chart);
  canvas.dataset.ready = "true";
  return chart;
}
