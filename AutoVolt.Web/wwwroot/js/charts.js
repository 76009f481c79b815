// One ApexCharts instance per host element. apexcharts.min.js (UMD, MIT 5.0.0) sets window.ApexCharts.
const charts = new WeakMap();

export function renderChart(el, options) {
    destroyChart(el);
    const chart = new window.ApexCharts(el, options);
    charts.set(el, chart);
    return chart.render();
}

export function updateChart(el, options) {
    const chart = charts.get(el);
    if (!chart) {
        return renderChart(el, options);
    }
    return chart.updateOptions(options, true, false);
}

export function destroyChart(el) {
    const chart = charts.get(el);
    if (chart) {
        chart.destroy();
        charts.delete(el);
    }
}
