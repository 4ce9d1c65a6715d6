using SuccessPlans.Features.Plans;

namespace SuccessPlans.Tests.Plans;

/// <summary>The progress rule and the measure's validation, without a host.</summary>
public class GoalRuleTests
{
    private static readonly DateOnly Today = new(2026, 11, 16);

    private static GoalValue[] Values(params decimal[] values) => values.Select((v, i) => new GoalValue(new DateOnly(2026, 9, 1).AddDays(7 * i), v)).ToArray();

    [Theory]
    // Up is better (attendance 80 % to 95 %): a tenth of the way is 1.5 points.
    [InlineData(80, 95, new double[] { 95 }, GoalProgress.Met)]
    [InlineData(80, 95, new double[] { 99 }, GoalProgress.Met)]
    [InlineData(80, 95, new double[] { 84 }, GoalProgress.Progressing)]
    [InlineData(80, 95, new double[] { 81.5 }, GoalProgress.NoChange)]
    [InlineData(80, 95, new double[] { 81.6 }, GoalProgress.Progressing)]
    [InlineData(80, 95, new double[] { 78.5 }, GoalProgress.NoChange)]
    [InlineData(80, 95, new double[] { 78.4 }, GoalProgress.Declining)]
    // The latest value decides, not the best one.
    [InlineData(80, 95, new double[] { 96, 70 }, GoalProgress.Declining)]
    // Down is better (incidents 6 to 2).
    [InlineData(6, 2, new double[] { 2 }, GoalProgress.Met)]
    [InlineData(6, 2, new double[] { 4 }, GoalProgress.Progressing)]
    [InlineData(6, 2, new double[] { 6 }, GoalProgress.NoChange)]
    [InlineData(6, 2, new double[] { 8 }, GoalProgress.Declining)]
    public void The_latest_value_against_the_baseline_in_the_targets_direction_gives_the_code(double baseline, double target, double[] values, GoalProgress expected) =>
        Assert.Equal(expected, Goals.Progress((decimal)baseline, (decimal)target, Values(values.Select(v => (decimal)v).ToArray())));

    [Fact]
    public void No_value_after_the_baseline_has_no_code() => Assert.Null(Goals.Progress(80, 95, []));

    private static readonly GoalMeasureInput Good = new(GoalMeasure.Recorded, "minutes read a day", 5, new DateOnly(2026, 9, 1), 20, new DateOnly(2027, 1, 31));

    [Fact]
    public void A_good_measure_passes() => Assert.Empty(PlanService.ValidateMeasure(Good, Today));

    public static TheoryData<string, GoalMeasureInput> BadMeasures() => new()
    {
        { "Measure", Good with { Measure = null } },
        { "Measure", Good with { Measure = (GoalMeasure)42 } },
        { "MeasureLabel", Good with { Label = "  " } },
        { "MeasureLabel", Good with { Label = new string('x', Goals.MaxLabel + 1) } },
        { "Baseline", Good with { Baseline = null } },
        { "Baseline", Good with { Measure = GoalMeasure.AttendanceRate, Baseline = 101 } },
        { "Target", Good with { Measure = GoalMeasure.AttendanceRate, Baseline = 80, Target = -1 } },
        { "Target", Good with { Measure = GoalMeasure.Incidents, Target = 2.5m } },
        { "Target", Good with { Target = 1.234m } },
        { "Target", Good with { Target = 5 } },
        { "BaselineOn", Good with { BaselineOn = Today.AddDays(1) } },
        { "BaselineOn", Good with { BaselineOn = null } },
        { "TargetOn", Good with { TargetOn = Good.BaselineOn } },
        { "TargetOn", Good with { TargetOn = null } },
        { "TargetOn", Good with { TargetOn = Today.AddYears(6) } },
    };

    [Theory]
    [MemberData(nameof(BadMeasures))]
    public void A_bad_measure_is_refused_on_its_field(string field, GoalMeasureInput input) =>
        Assert.Contains(field, PlanService.ValidateMeasure(input, Today).Keys);
}
