using SuccessPlans.Data;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Cabinet;

/// <summary>The breakdowns of the cabinet's dashboard, as kept in <see cref="ServedMonth"/>.</summary>
public enum ServedDimension { Total = 0, Domain = 1, School = 2, Provider = 3, Tier = 4 }

/// <summary>
/// The cabinet's second rollup, which makes every figure of the dashboard a sum over a few thousand rows whatever the
/// tenant's size. Children served cannot be summed across months (a child served in September and October is one
/// child), so each child's served months are kept as pairs: a month the child was served in, with the previous month
/// the child was served in (0 for none), per value of each breakdown. A child is served in the period [a, b] exactly
/// when one of its served months m lies in [a, b] with its previous served month before a, and that m is unique. So
///   children served in [a, b] = sum of Children over the rows with a ≤ Month ≤ b and Previous &lt; a,
///   services delivered in [a, b] = sum of Services over the rows with a ≤ Month ≤ b,
/// and the rows are counts of children, never a child: the same (value, month, previous) of all children add up.
/// Kept on write with the deliveries (<see cref="DeliveryRollup.CountAsync"/>) as rows of differences appended in
/// the delivery's own save, so two providers recording at once never update the same row; the nightly check folds
/// the differences into one row per key (<see cref="DeliveryRollup.CompactAsync"/>).
/// </summary>
public class ServedMonth : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; private set; }
    public ServedDimension Dimension { get; set; }

    /// <summary>The value of the breakdown: 0 for the total, the domain's or tier's number (-1: no tier), the school's or provider's id.</summary>
    public int ValueId { get; set; }

    /// <summary>A month as year × 12 + month - 1 (see <see cref="MonthNumber"/>).</summary>
    public int MonthNumber { get; set; }

    /// <summary>The previous month these children were served in for this value, or 0 if none.</summary>
    public int PreviousMonthNumber { get; set; }

    public int Children { get; set; }
    public int Services { get; set; }

    public static int Number(DateOnly month) => month.Year * 12 + month.Month - 1;
    public static int Number(int year, int month) => year * 12 + month - 1;
    public static DateOnly MonthOf(int number) => new(number / 12, number % 12 + 1, 1);
}

internal sealed class ServedMonthConfiguration : IEntityTypeConfiguration<ServedMonth>
{
    public void Configure(EntityTypeBuilder<ServedMonth> b)
    {
        b.Property(m => m.Dimension).HasConversion<int>();
        // The dashboard reads a range of months: every column it reads is in the index.
        b.HasIndex(m => new { m.TenantId, m.MonthNumber, m.Dimension, m.ValueId, m.PreviousMonthNumber, m.Children, m.Services })
            .HasDatabaseName("IX_ServedMonths_Dashboard");
    }
}

/// <summary>Works out a child's rows of <see cref="ServedMonth"/> from the child's <see cref="DeliveryYear"/> rows.</summary>
public static class ServedMonths
{
    /// <summary>The breakdown values a rollup row counts under.</summary>
    public static (ServedDimension Dimension, int ValueId)[] ValuesOf(DeliveryYear row) =>
    [
        (ServedDimension.Total, 0), (ServedDimension.Domain, (int)row.Domain), (ServedDimension.School, row.SchoolId),
        (ServedDimension.Provider, row.OrganizationId), (ServedDimension.Tier, row.Tier is { } t ? (int)t : -1),
    ];

    /// <summary>
    /// One child's rows for the given breakdown values, from all the child's rollup rows (every referral, every school
    /// year), added into <paramref name="into"/> multiplied by <paramref name="sign"/>.
    /// </summary>
    public static void Add(IEnumerable<DeliveryYear> childRows, IEnumerable<(ServedDimension Dimension, int ValueId)> values,
        Dictionary<(ServedDimension, int, int, int), (int Children, int Services)> into, int sign = 1)
    {
        var rows = childRows as IReadOnlyCollection<DeliveryYear> ?? childRows.ToList();
        foreach (var value in values.Distinct())
        {
            var months = new SortedDictionary<int, int>();
            foreach (var row in rows)
            {
                if (!ValuesOf(row).Contains(value)) continue;
                var counts = new[] { row.Aug, row.Sep, row.Oct, row.Nov, row.Dec, row.Jan, row.Feb, row.Mar, row.Apr, row.May, row.Jun, row.Jul };
                for (var i = 0; i < 12; i++)
                {
                    if (counts[i] == 0) continue;
                    var number = ServedMonth.Number(DeliveryYear.MonthAt(row.SchoolYear, i));
                    months[number] = months.GetValueOrDefault(number) + counts[i];
                }
            }
            var previous = 0;
            foreach (var (month, services) in months)
            {
                if (services <= 0) continue;
                var key = (value.Dimension, value.ValueId, month, previous);
                var (c, s) = into.GetValueOrDefault(key);
                into[key] = (c + sign, s + sign * services);
                previous = month;
            }
        }
    }

    /// <summary>The rows of a whole tenant, from its rollup rows.</summary>
    public static List<ServedMonth> For(IEnumerable<DeliveryYear> rows)
    {
        var sums = new Dictionary<(ServedDimension, int, int, int), (int Children, int Services)>();
        foreach (var child in rows.GroupBy(r => r.StudentId))
        {
            var list = child.ToList();
            Add(list, list.SelectMany(ValuesOf), sums);
        }
        return Rows(sums);
    }

    public static List<ServedMonth> Rows(Dictionary<(ServedDimension, int, int, int), (int Children, int Services)> sums) =>
        sums.Where(s => s.Value != (0, 0)).Select(s => new ServedMonth
        {
            Dimension = s.Key.Item1, ValueId = s.Key.Item2, MonthNumber = s.Key.Item3, PreviousMonthNumber = s.Key.Item4,
            Children = s.Value.Children, Services = s.Value.Services,
        }).ToList();
}
