using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace SuccessPlans.Features.Notifications;

/// <summary>Hands one message to the outside world. Only OutboxDispatcher calls it.</summary>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>Writes each message as an .eml file a newcomer can open (the default delivery).</summary>
public sealed class PickupMailTransport(IOptions<EmailOptions> options) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var dir = options.Value.PickupDirectory;
        System.IO.Directory.CreateDirectory(dir);
        var name = FormattableString.Invariant($"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{SafeName(message.MessageId ?? Guid.NewGuid().ToString("N"))}.eml");
        var temp = Path.Combine(dir, name + ".tmp");
        // Written aside then moved, so a reader never sees half a message.
        await message.WriteToAsync(temp, ct);
        File.Move(temp, Path.Combine(dir, name), overwrite: true);
    }

    private static string SafeName(string id) =>
        new(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray());
}

/// <summary>Sends through an SMTP server with MailKit.</summary>
public sealed class SmtpMailTransport(IOptions<EmailOptions> options) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        await client.ConnectAsync(smtp.Host, smtp.Port, ToMailKit(smtp.Security), ct);
        if (!string.IsNullOrEmpty(smtp.Username))
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity s) => s switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
