using SuccessPlans.Features.Cabinet;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>The suppression rule on its own, with columns built so that naive suppression would give a small cell away.</summary>
public class SuppressionTests
{
    private static (List<Figure> Cells, Figure Total) Column(params long[] children) =>
        (children.Select(c => new Figure(c, c)).ToList(), new Figure(children.Sum(), children.Sum()));

    [Fact]
    public void A_single_small_cell_under_a_published_total_takes_the_next_smallest_with_it()
    {
        var (cells, total) = Column(30, 12, 4, 0);
        Suppression.Apply(cells, total, threshold: 10);
        // Naively only the 4 would hide, and 46 - 30 - 12 - 0 would give it back.
        Assert.Equal([30L, null, null, 0L], cells.Select(c => c.Value));
        Assert.Equal(46, total.Value);
    }

    [Fact]
    public void Two_small_cells_protect_each_other()
    {
        var (cells, total) = Column(30, 3, 4, 25);
        Suppression.Apply(cells, total, 10);
        Assert.Equal([30L, null, null, 25L], cells.Select(c => c.Value));
    }

    [Fact]
    public void A_zero_is_shown_and_never_used_as_the_complement()
    {
        var (cells, total) = Column(0, 7, 0, 40);
        Suppression.Apply(cells, total, 10);
        Assert.Equal([0L, null, 0L, null], cells.Select(c => c.Value));
        Assert.Equal(47, total.Value);
    }

    [Fact]
    public void A_small_total_hides_the_whole_column()
    {
        var (cells, total) = Column(5, 3, 0);
        Suppression.Apply(cells, total, 10);
        Assert.Null(total.Value);
        Assert.Equal([null, null, 0L], cells.Select(c => c.Value));
    }

    [Fact]
    public void The_threshold_is_the_tenants()
    {
        var (cells, total) = Column(30, 12, 4);
        Suppression.Apply(cells, total, threshold: 3);
        Assert.Equal([30L, 12L, 4L], cells.Select(c => c.Value));
    }

    [Fact]
    public void A_count_is_judged_by_its_children_not_its_size()
    {
        // 40 services delivered to 4 children is still about 4 children.
        var cells = new List<Figure> { new(40, 4), new(300, 30), new(120, 12) };
        var total = new Figure(460, 46);
        Suppression.Apply(cells, total, 10);
        Assert.Equal([null, 300L, null], cells.Select(c => c.Value));
    }

    [Fact]
    public void The_median_comes_from_the_histogram()
    {
        Assert.Equal(3, CabinetReport.Median([(1, 1), (3, 1), (9, 1)]));
        Assert.Equal(2, CabinetReport.Median([(9, 2), (2, 3)]));
        Assert.Equal(0, CabinetReport.Median([]));
    }
}
