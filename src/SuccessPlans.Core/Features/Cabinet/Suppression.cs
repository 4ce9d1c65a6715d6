namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// One published number, with how many children it is about (which decides whether it may be shown). The raw
/// number stays inside Core: pages, CSV and the API can only read <see cref="Value"/>, which is null when suppressed.
/// </summary>
public sealed class Figure(long value, long children)
{
    internal long Raw { get; } = value;
    internal long Children { get; } = children;

    [System.Text.Json.Serialization.JsonPropertyName("suppressed")]
    public bool Suppressed { get; internal set; }

    /// <summary>A figure that has nothing to say (a median of no referrals): null, and not suppressed.</summary>
    public static Figure None() => new(0, 0) { IsNone = true };

    internal bool IsNone { get; private init; }

    [System.Text.Json.Serialization.JsonPropertyName("value")]
    public long? Value => Suppressed || IsNone ? null : Raw;
}

/// <summary>
/// Small-cell suppression as state education agencies practise it (docs/domain.md): a figure about fewer children
/// than the threshold (but not none) is hidden; and where a column would then hide exactly one figure under a
/// published total, the next smallest figure is hidden too (complementary suppression), so the hidden one
/// cannot be worked out by subtracting the others from the total.
/// </summary>
public static class Suppression
{
    public static bool IsSmall(long children, int threshold) => children > 0 && children < threshold;

    /// <summary>Suppresses one column of a table: its cells and their total.</summary>
    public static void Apply(IReadOnlyList<Figure> cells, Figure total, int threshold)
    {
        if (IsSmall(total.Children, threshold)) total.Suppressed = true;
        foreach (var cell in cells)
            if (IsSmall(cell.Children, threshold)) cell.Suppressed = true;
        if (total.Suppressed)
        {
            // Nothing to subtract from; and every cell is about no more children than the total, so all are small too.
            foreach (var cell in cells.Where(c => c.Children > 0)) cell.Suppressed = true;
            return;
        }
        if (cells.Count(c => c.Suppressed) != 1) return;
        // The complement: the smallest figure still shown that is about some children (hiding a zero would
        // protect nothing, since readers can assume it). Ties go to the first row, so output is stable.
        var complement = cells.Where(c => !c.Suppressed && c.Children > 0).OrderBy(c => c.Children).ThenBy(c => c.Raw).FirstOrDefault();
        if (complement is not null) complement.Suppressed = true;
        else total.Suppressed = true;
    }
}
