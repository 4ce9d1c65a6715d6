namespace SuccessPlans.Features.Notifications;

public enum EmailDelivery { Pickup, Smtp }

/// <summary>SMTP connection security, as MailKit names it.</summary>
public enum SmtpSecurity { Auto, None, StartTls, StartTlsWhenAvailable, SslOnConnect }

/// <summary>Section "Email": where the outbox's messages go.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public EmailDelivery Delivery { get; set; } = EmailDelivery.Pickup;
    public string FromAddress { get; set; } = "no-reply@successplans.test";
    public string FromName { get; set; } = "SuccessPlans";

    /// <summary>Folder of .eml files for Pickup delivery; relative paths are under the app's content root.</summary>
    public string PickupDirectory { get; set; } = "data/mail";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>After this many failed attempts a message is marked Failed and shown to the admin.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// How long a dispatcher's claim on a message lasts: a node that dies while sending leaves the message to another
    /// node after this. Keep it well above Smtp:TimeoutSeconds, or a slow relay's message could be sent twice.
    /// </summary>
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often each node's dispatcher sends what the outbox holds: a whole number of seconds that divides a minute
    /// (5, 10, 15, 30) or of minutes that divides an hour. Shorter gets an invitation out sooner, at one small query a
    /// run.
    /// </summary>
    public TimeSpan SendEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The dispatcher's schedule as Hangfire's cron (seconds field included below a minute), or an error.</summary>
    public static string SendSchedule(TimeSpan every)
    {
        if (every.Ticks % TimeSpan.TicksPerSecond == 0 && every.TotalSeconds is >= 1 and < 60 && 60 % (int)every.TotalSeconds == 0)
            return $"*/{(int)every.TotalSeconds} * * * * *";
        if (every.Ticks % TimeSpan.TicksPerMinute == 0 && every.TotalMinutes is >= 1 and < 60 && 60 % (int)every.TotalMinutes == 0)
            return every.TotalMinutes == 1 ? "* * * * *" : $"*/{(int)every.TotalMinutes} * * * *";
        throw new InvalidOperationException($"Email:SendEvery is {every}: give a number of seconds that divides a minute (00:00:05, 00:00:15, 00:00:30) or of minutes that divides an hour (00:01:00, 00:05:00).");
    }
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public int TimeoutSeconds { get; set; } = 30;
}
