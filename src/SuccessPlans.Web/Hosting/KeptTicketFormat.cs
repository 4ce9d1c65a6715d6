using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The session cookie's format with what it read kept for a short while: the same cookie text, sent again within
/// <see cref="KeepFor"/>, gives a copy of the ticket it gave before instead of being decrypted, checked and read again.
/// </summary>
/// <remarks>
/// Why (issue 15): a browser sends the same session cookie with every request until the cookie is renewed, and reading it
/// (Data Protection's AES and HMAC, then the ticket's claims) was 3-4% of the CPU of every signed-in page. Only a text
/// that the inner format accepted is kept, under the whole text, so nothing is believed that was not checked once;
/// garbage and forged cookies go through the inner format every time. The handler still tests the ticket's expiry and
/// asks Identity's security stamp check when it is due (<see cref="SecurityStampValidatorOptions.ValidationInterval"/>,
/// a minute, like <see cref="KeepFor"/>), so a deactivated user's session ends as before. A Data Protection key revoked
/// by hand is believed for at most <see cref="KeepFor"/> more. Each caller gets its own copy: the handler and Identity
/// may change a ticket's properties or replace its principal.
/// </remarks>
public sealed class KeptTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider time, int capacity = KeptTicketFormat.Capacity)
    : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>How long a read ticket is kept.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(1);

    /// <summary>Tickets kept at most (some 5 KB each, the cookie's text with its ticket); past it all are dropped at once.</summary>
    public const int Capacity = 1024;

    private readonly KeptReads<AuthenticationTicket> _kept = new(time, KeepFor, capacity);

    /// <summary>Tickets kept now (tests).</summary>
    public int Count => _kept.Count;

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        // A purpose (a TLS token binding) is part of what is checked: such texts are not kept.
        if (protectedText is null || purpose is not null) return inner.Unprotect(protectedText, purpose);
        // Each reader its own copy: AuthenticationTicket.Clone copies each identity with its claims, and the properties
        // (ClaimsPrincipal.Clone alone would share the identities).
        if (_kept.TryGet(protectedText, out var kept)) return kept.Clone();

        var ticket = inner.Unprotect(protectedText);
        if (ticket is null) return null;
        // Bounded by dropping everything: a node with more live sessions than this reads them all again, as before.
        _kept.Store(protectedText, ticket.Clone());
        return ticket;
    }

    /// <summary>
    /// Wraps the session cookie's format once the framework has made it (its own post-configuration, registered with the
    /// cookie scheme, runs before this one).
    /// </summary>
    internal sealed class Install(TimeProvider time) : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions options)
        {
            if (name == IdentityConstants.ApplicationScheme && options.TicketDataFormat is { } format and not KeptTicketFormat)
                options.TicketDataFormat = new KeptTicketFormat(format, time);
        }
    }
}
