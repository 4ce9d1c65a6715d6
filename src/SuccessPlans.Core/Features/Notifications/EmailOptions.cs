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
