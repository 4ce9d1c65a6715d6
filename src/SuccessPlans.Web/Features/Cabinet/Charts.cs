using System.Globalization;
using Microsoft.AspNetCore.Mvc.Localization;
using SuccessPlans.Features.Cabinet;

namespace SuccessPlans.Web.Features.Cabinet;

/// <summary>
/// The dashboard's charts, drawn on the server as SVG: nothing to download from a CDN, no script, and they
/// print. Each is an image with a text summary for screen readers, and the table under it holds every figure.
/// A suppressed figure draws no bar and is labelled "suppressed", so a chart never shows what a table hides.
/// </summary>
public static class Charts
{
    public sealed record Bar(string Label, long? Value, double X, double Y, double Width, double Height, double TextX, double TextY, string? Year = null);

    public sealed record Chart(string Id, string Title, string Summary, int Width, int Height, IReadOnlyList<Bar> Bars, IReadOnlyList<(double Y, string Label)> Grid);

    /// <summary>Vertical columns, one per row of the table (the monthly trend).</summary>
    public static Chart Columns(string id, string title, DashboardTable table, int column, IHtmlLocalizer words)
    {
        const int width = 720, height = 260, left = 56, bottom = 40, top = 16;
        var values = table.Rows.Select(r => r.Figures[column].Value).ToList();
        var max = Nice(values.Max(v => v ?? 0));
        var slot = (width - left - 8) / (double)Math.Max(1, values.Count);
        var plot = height - bottom - top;
        var bars = table.Rows.Select((r, i) =>
        {
            var v = r.Figures[column].Value;
            var h = v is { } x ? plot * x / (double)max : 0;
            var bx = left + i * slot + slot * 0.15;
            // Many months: "Aug" rather than "Aug 2026" under each column, with the year under the first and wherever it changes
            // (January, in any language).
            var label = values.Count <= 6 ? r.Label : r.Label.Split(' ')[0];
            var year = values.Count > 6 && (i == 0 || YearOf(table.Rows[i - 1].Label) != YearOf(r.Label)) ? YearOf(r.Label) : null;
            return new Bar(label, v, bx, top + plot - h, slot * 0.7, h, bx + slot * 0.35, height - bottom + 16, year);
        }).ToList();
        var grid = Enumerable.Range(0, 5).Select(k => (top + plot - plot * k / 4.0, (max * k / 4).ToString("N0", CultureInfo.InvariantCulture))).ToList();
        return new Chart(id, title, Summary(table, column, words), width, height, bars, grid);
    }

    /// <summary>Horizontal bars, one per row of the table (a breakdown by domain).</summary>
    public static Chart Bars(string id, string title, DashboardTable table, int column, IHtmlLocalizer words)
    {
        const int width = 720, left = 230, rowHeight = 34;
        var values = table.Rows.Select(r => r.Figures[column].Value).ToList();
        var max = Nice(values.Max(v => v ?? 0));
        var plot = width - left - 80;
        var bars = table.Rows.Select((r, i) =>
        {
            var v = r.Figures[column].Value;
            var w = v is { } x ? plot * x / (double)max : 0;
            return new Bar(r.Label, v, left, 8 + i * rowHeight, w, rowHeight - 12, left + w + 6, 8 + i * rowHeight + rowHeight / 2.0);
        }).ToList();
        return new Chart(id, title, Summary(table, column, words), width, 16 + table.Rows.Count * rowHeight, bars, []);
    }

    private static string YearOf(string monthLabel) => monthLabel.Split(' ')[^1];

    /// <summary>What a screen reader says of the chart, in the reader's language, as the table says it.</summary>
    private static string Summary(DashboardTable table, int column, IHtmlLocalizer words) =>
        $"{table.Columns[column]} {table.Title.ToLower(CultureInfo.CurrentCulture)}: " +
        string.Join("; ", table.Rows.Select(r => $"{r.Label} {IndexModel.Show(r.Figures[column], words)}")) + ".";

    /// <summary>A round axis maximum at or above the largest value.</summary>
    private static long Nice(long max)
    {
        if (max <= 4) return 4;
        var magnitude = (long)Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
            if (magnitude * step >= max) return (long)Math.Ceiling(magnitude * step / 4.0) * 4;
        return max;
    }

    public static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
