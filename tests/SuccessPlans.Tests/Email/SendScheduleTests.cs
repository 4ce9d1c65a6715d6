using SuccessPlans.Features.Notifications;

namespace SuccessPlans.Tests.Email;

/// <summary>Email:SendEvery becomes the dispatcher's Hangfire schedule; an interval cron cannot keep is refused at start.</summary>
public sealed class SendScheduleTests
{
    [Theory]
    [InlineData("00:00:05", "*/5 * * * * *")]
    [InlineData("00:00:30", "*/30 * * * * *")]
    [InlineData("00:01:00", "* * * * *")]
    [InlineData("00:05:00", "*/5 * * * *")]
    public void An_interval_that_divides_a_minute_or_an_hour_becomes_its_cron(string every, string cron) =>
        Assert.Equal(cron, EmailOptions.SendSchedule(TimeSpan.Parse(every, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("00:00:07")]
    [InlineData("00:00:00.500")]
    [InlineData("00:00:00")]
    [InlineData("00:07:00")]
    [InlineData("01:00:00")]
    [InlineData("-00:00:05")]
    public void Any_other_interval_is_refused_with_the_setting_named(string every)
    {
        var error = Assert.Throws<InvalidOperationException>(() => EmailOptions.SendSchedule(TimeSpan.Parse(every, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("Email:SendEvery", error.Message);
    }
}
