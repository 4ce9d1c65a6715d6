using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Antiforgery's cookie read once a minute (<see cref="KeptAntiforgeryTokens"/>): the same bytes give a copy of what they
/// gave before, for at most a minute; anything the real protector refuses is never kept, and writing is never kept.
/// </summary>
public class KeptAntiforgeryTokensTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly Counting _real = new(new EphemeralDataProtectionProvider().CreateProtector(KeptAntiforgeryTokens.Purpose));

    [Fact]
    public void The_same_token_is_decrypted_once_a_minute()
    {
        var kept = new KeptAntiforgeryTokens(_real, _time);
        var token = kept.Protect([1, 2, 3]);

        Assert.Equal([1, 2, 3], kept.Unprotect(token));
        Assert.Equal([1, 2, 3], kept.Unprotect(token));
        Assert.Equal(1, _real.Reads);

        _time.Advance(KeptAntiforgeryTokens.KeepFor - TimeSpan.FromSeconds(1));
        kept.Unprotect(token);
        Assert.Equal(1, _real.Reads);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1, 2, 3], kept.Unprotect(token));
        Assert.Equal(2, _real.Reads);
    }

    [Fact]
    public void Writing_a_token_is_never_kept_and_each_reader_gets_its_own_copy()
    {
        var kept = new KeptAntiforgeryTokens(_real, _time);
        // Each form token has its own random bytes, as without the wrapper.
        Assert.NotEqual(kept.Protect([1, 2, 3]), kept.Protect([1, 2, 3]));

        var token = kept.Protect([1, 2, 3]);
        var first = kept.Unprotect(token);
        first[0] = 9;
        var second = kept.Unprotect(token);
        second[1] = 9;
        Assert.Equal([1, 2, 3], kept.Unprotect(token));
        Assert.Equal(1, _real.Reads);
    }

    [Fact]
    public void A_forged_or_garbled_token_is_never_kept()
    {
        var kept = new KeptAntiforgeryTokens(_real, _time);
        var token = kept.Protect([1, 2, 3]);
        var forged = (byte[])token.Clone();
        forged[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => kept.Unprotect(forged));
        Assert.ThrowsAny<CryptographicException>(() => kept.Unprotect(forged));
        Assert.ThrowsAny<CryptographicException>(() => kept.Unprotect([1, 2, 3]));
        Assert.Equal(0, kept.Count);
        Assert.Equal(3, _real.Reads);
        Assert.Equal([1, 2, 3], kept.Unprotect(token));
        Assert.Equal(1, kept.Count);
    }

    [Fact]
    public void Past_its_capacity_every_kept_token_is_dropped()
    {
        var kept = new KeptAntiforgeryTokens(_real, _time, capacity: 3);
        var tokens = Enumerable.Range(1, 4).Select(i => kept.Protect([(byte)i])).ToList();
        foreach (var t in tokens.Take(3)) kept.Unprotect(t);
        Assert.Equal(3, kept.Count);
        Assert.Equal([4], kept.Unprotect(tokens[3]));
        Assert.Equal(1, kept.Count);
        Assert.Equal([1], kept.Unprotect(tokens[0]));
        Assert.Equal(5, _real.Reads);
    }

    [Fact]
    public async Task The_app_reads_its_antiforgery_cookie_through_it_and_still_refuses_a_post_without_a_token()
    {
        await using var app = new AppFactory();
        var tenant = (await app.CreateTenantAsync("kept-af")).Id;
        await app.CreateUserAsync(tenant, "admin@kept-af.test", UserRole.Admin);
        var provider = app.Services.GetRequiredService<IDataProtectionProvider>();
        var kept = Assert.IsType<KeptAntiforgeryTokens>(provider.CreateProtector(KeptAntiforgeryTokens.Purpose));
        // Every other purpose (the session cookie, Identity's tokens) is the real protector.
        Assert.IsNotType<KeptAntiforgeryTokens>(provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware"));

        var client = await app.SignedInAsync("admin@kept-af.test");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        Assert.True(kept.Count >= 1);

        // A form with its token still goes through; one without is still refused.
        var signOut = await client.SubmitFormAsync("/Home/Admin", [], formSelector: "form.signout");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var again = await app.SignedInAsync("admin@kept-af.test");
        await again.GetAsync("/Home/Admin");
        var bare = await again.PostAsync("/Account/Logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
    }

    /// <summary>The real protector, with its reads counted.</summary>
    private sealed class Counting(IDataProtector real) : IDataProtector
    {
        public int Reads;

        public IDataProtector CreateProtector(string purpose) => real.CreateProtector(purpose);
        public byte[] Protect(byte[] plaintext) => real.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData)
        {
            Interlocked.Increment(ref Reads);
            return real.Unprotect(protectedData);
        }
    }
}
