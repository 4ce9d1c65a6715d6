using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The session cookie read once a minute (<see cref="KeptTicketFormat"/>): the same text gives a copy of the same ticket
/// without Data Protection, for at most a minute; anything the real format refuses is never kept.
/// </summary>
public class KeptTicketFormatTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly Counting _real = new(new TicketDataFormat(new EphemeralDataProtectionProvider().CreateProtector("tickets")));

    private static AuthenticationTicket Ticket(string user) => new(
        new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, "Coordinator")], "test")),
        new AuthenticationProperties { IssuedUtc = DateTimeOffset.UnixEpoch, ExpiresUtc = DateTimeOffset.UnixEpoch.AddHours(8) },
        IdentityConstants.ApplicationScheme);

    [Fact]
    public void The_same_cookie_is_decrypted_once_a_minute()
    {
        var kept = new KeptTicketFormat(_real, _time);
        var cookie = kept.Protect(Ticket("ana"));

        var first = kept.Unprotect(cookie);
        var second = kept.Unprotect(cookie);
        Assert.Equal(1, _real.Reads);
        Assert.Equal("ana", second!.Principal.Identity!.Name);
        Assert.True(second.Principal.IsInRole("Coordinator"));
        Assert.Equal(first!.Properties.ExpiresUtc, second.Properties.ExpiresUtc);
        Assert.Equal(IdentityConstants.ApplicationScheme, second.AuthenticationScheme);

        _time.Advance(KeptTicketFormat.KeepFor - TimeSpan.FromSeconds(1));
        kept.Unprotect(cookie);
        Assert.Equal(1, _real.Reads);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ana", kept.Unprotect(cookie)!.Principal.Identity!.Name);
        Assert.Equal(2, _real.Reads);
    }

    [Fact]
    public void Each_reader_gets_its_own_copy()
    {
        var kept = new KeptTicketFormat(_real, _time);
        var cookie = kept.Protect(Ticket("ana"));
        var first = kept.Unprotect(cookie)!;
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim(ClaimTypes.Role, "Admin"));
        first.Properties.Items["changed"] = "yes";
        first.Properties.ExpiresUtc = DateTimeOffset.MaxValue;

        var second = kept.Unprotect(cookie)!;
        var third = kept.Unprotect(cookie)!;
        Assert.Equal(1, _real.Reads);
        Assert.False(second.Principal.IsInRole("Admin"));
        Assert.False(second.Properties.Items.ContainsKey("changed"));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddHours(8), second.Properties.ExpiresUtc);
        Assert.NotSame(second.Principal, third.Principal);
        Assert.NotSame(second.Properties, third.Properties);
    }

    [Fact]
    public void A_forged_or_garbled_cookie_is_never_kept()
    {
        var kept = new KeptTicketFormat(_real, _time);
        var cookie = kept.Protect(Ticket("ana"));
        var forged = cookie[..^3] + (cookie[^3] == 'A' ? 'B' : 'A') + cookie[^2..];

        Assert.Null(kept.Unprotect(forged));
        Assert.Null(kept.Unprotect(forged));
        Assert.Null(kept.Unprotect("not a cookie"));
        Assert.Null(kept.Unprotect(null));
        Assert.Equal(0, kept.Count);
        Assert.Equal(4, _real.Reads);
        // The real one still reads, and is kept.
        Assert.NotNull(kept.Unprotect(cookie));
        Assert.Equal(1, kept.Count);
    }

    [Fact]
    public void A_cookie_bound_to_a_purpose_is_read_every_time()
    {
        var kept = new KeptTicketFormat(_real, _time);
        var cookie = kept.Protect(Ticket("ana"), "binding");
        Assert.Equal("ana", kept.Unprotect(cookie, "binding")!.Principal.Identity!.Name);
        Assert.NotNull(kept.Unprotect(cookie, "binding"));
        Assert.Null(kept.Unprotect(cookie));
        Assert.Equal(3, _real.Reads);
        Assert.Equal(0, kept.Count);
    }

    [Fact]
    public void Past_its_capacity_every_kept_ticket_is_dropped()
    {
        var kept = new KeptTicketFormat(_real, _time, capacity: 3);
        var cookies = Enumerable.Range(1, 4).Select(i => kept.Protect(Ticket($"user{i}"))).ToList();
        foreach (var c in cookies.Take(3)) kept.Unprotect(c);
        Assert.Equal(3, kept.Count);
        Assert.Equal("user4", kept.Unprotect(cookies[3])!.Principal.Identity!.Name);
        Assert.Equal(1, kept.Count);
        Assert.Equal("user1", kept.Unprotect(cookies[0])!.Principal.Identity!.Name);
        Assert.Equal(5, _real.Reads);
    }

    [Fact]
    public async Task The_app_reads_its_session_cookie_through_it()
    {
        await using var app = new AppFactory();
        var tenant = (await app.CreateTenantAsync("kept-tickets")).Id;
        await app.CreateUserAsync(tenant, "admin@kept-tickets.test", UserRole.Admin);
        var format = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme).TicketDataFormat;
        var kept = Assert.IsType<KeptTicketFormat>(format);

        var client = await app.SignedInAsync("admin@kept-tickets.test");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        Assert.True(kept.Count >= 1);
        // The two-factor cookie's scheme keeps its own format.
        Assert.IsNotType<KeptTicketFormat>(app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.TwoFactorUserIdScheme).TicketDataFormat);
    }

    /// <summary>The real format, with its reads counted.</summary>
    private sealed class Counting(ISecureDataFormat<AuthenticationTicket> real) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Reads;

        public string Protect(AuthenticationTicket data) => real.Protect(data);
        public string Protect(AuthenticationTicket data, string? purpose) => real.Protect(data, purpose);
        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Interlocked.Increment(ref Reads);
            return real.Unprotect(protectedText, purpose);
        }
    }
}
