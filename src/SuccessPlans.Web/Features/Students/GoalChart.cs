using System.Globalization;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// A goal's small line chart, drawn on the server as SVG coordinates (no script): the baseline and the target as
/// horizontal lines, the values from the baseline's date on as a line with dots. Coordinates are invariant text, whatever
/// the culture of the request.
/// </summary>
public sealed class GoalChart
{
    public const int Width = 320, Height = 140;
    private const double Left = 8, Right = 8, Top = 14, Bottom = 14;

    public required string Line { get; init; }
    public required IReadOnlyList<(string X, string Y)> Dots { get; init; }
    public required string BaselineY { get; init; }
    public required string TargetY { get; init; }
    public required string TargetX { get; init; }

    public static GoalChart For(GoalView view)
    {
        var need = view.Need;
        var start = need.BaselineOn!.Value;
        var end = new[] { need.TargetOn ?? start.AddDays(1), view.Latest?.On ?? start.AddDays(1) }.Max();
        if (end <= start) end = start.AddDays(1);
        var all = view.Values.Select(v => v.Value).Append(need.Baseline!.Value).Append(need.Target!.Value).ToList();
        var (min, max) = ((double)all.Min(), (double)all.Max());
        var pad = Math.Max((max - min) * 0.1, 1);
        (min, max) = (min - pad, max + pad);
        var span = end.DayNumber - start.DayNumber;

        string X(DateOnly d) => Format(Left + (Width - Left - Right) * (d.DayNumber - start.DayNumber) / span);
        string Y(decimal v) => Format(Top + (Height - Top - Bottom) * (max - (double)v) / (max - min));

        var points = view.Values.OrderBy(v => v.On).Select(v => (X(v.On), Y(v.Value))).ToList();
        return new GoalChart
        {
            Line = string.Join(' ', new[] { (X(start), Y(need.Baseline!.Value)) }.Concat(points).Select(p => $"{p.Item1},{p.Item2}")),
            Dots = points,
            BaselineY = Y(need.Baseline!.Value),
            TargetY = Y(need.Target!.Value),
            TargetX = X(need.TargetOn ?? end),
        };
    }

    private static string Format(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
