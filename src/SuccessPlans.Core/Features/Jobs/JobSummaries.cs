namespace SuccessPlans.Features.Jobs;

/// <summary>
/// A job run's summary as the jobs write it (English, stored on the run), read back in these shapes so that the Jobs
/// page shows it in the reader's language (<see cref="StoredText"/>), runs of before included.
/// </summary>
public static class JobSummaries
{
    public static readonly StoredText Shapes = new(
        "{0} new flag(s), {1} resolved, {2} open; {3} referral(s) expired; {4} digest(s) queued.",
        "Purged {0} email(s) older than {1} days.",
        "Purged {0} roster and {1} directory upload(s) not imported within {2} day(s) or already imported.");
}
