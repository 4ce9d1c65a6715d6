using SuccessPlans.Features.Cabinet;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// <see cref="DeliveryYear.MonthsServed"/>, which the cabinet's outcomes read instead of the twelve months' counts, follows
/// every count and every count taken back.
/// </summary>
public class DeliveryYearTests
{
    [Fact]
    public void The_months_served_follow_each_count_and_each_count_taken_back()
    {
        var row = new DeliveryYear { SchoolYear = 2026 };
        Assert.Equal(0, row.MonthsServed);
        row.Count(new DateOnly(2026, 8, 3));                // August: bit 0
        row.Count(new DateOnly(2026, 8, 4));
        row.Count(new DateOnly(2027, 7, 1), services: 3);   // July: bit 11
        row.Count(new DateOnly(2026, 12, 1));               // December: bit 4
        Assert.Equal(1 | 1 << 4 | 1 << 11, row.MonthsServed);
        row.Count(new DateOnly(2026, 12, 1), services: -1); // December's only service taken back
        Assert.Equal(1 | 1 << 11, row.MonthsServed);
        row.Count(new DateOnly(2026, 8, 3), services: -1);  // one of August's two: still served
        Assert.Equal(1 | 1 << 11, row.MonthsServed);
        for (var i = 0; i < 12; i++)
            Assert.Equal(row.ByIndex()[i] > 0, (row.MonthsServed & 1 << i) != 0);
    }
}
