using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// Two app nodes on one database share one data-protection key ring (in the database), so a cookie, an antiforgery
/// token or an invitation link made by one is read by the other. Each factory here is a node with its own services.
/// </summary>
public class SharedKeysTests : IAsyncLifetime
{
    private readonly AppFactory _nodeA = new();
    private readonly AppFactory _nodeB = new();
    private readonly CookieContainer _cookies = new();
    private int _tenant;

    public async Task InitializeAsync()
    {
        // Both nodes on node A's database file.
        _nodeB.Settings["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_nodeA.Root, "app.db")}";
        _tenant = (await _nodeA.CreateTenantAsync("nodes")).Id;
        await _nodeA.CreateUserAsync(_tenant, "admin@nodes.test", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    private HttpClient Browser(AppFactory node) => node.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(_cookies));

    private async Task SignInAsync(HttpClient a, HttpClient b)
    {
        // The sign-in form from node B, posted to node A: the antiforgery token crosses nodes.
        var password = await b.SubmitFormToAsync(a, "/Account/Login", new() { ["Input.Email"] = "admin@nodes.test", ["Input.Password"] = AppFactory.Password });
        var signedIn = await a.SecondFactorToAsync(b, password, _nodeA.AuthenticatorKeys["admin@nodes.test"]);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Location());
    }

    [Fact]
    public async Task A_session_a_form_and_an_invitation_made_on_one_node_work_on_the_other()
    {
        var (a, b) = (Browser(_nodeA), Browser(_nodeB));
        await SignInAsync(a, b);

        // Node A's session cookie opens node B's pages.
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/Users")).StatusCode);

        // Invited on node A (form loaded from B), accepted on node B.
        var invited = await b.SubmitFormToAsync(a, "/Users/Invite", new() { ["Input.Email"] = "cab@nodes.test", ["Input.DisplayName"] = "Cab", ["Input.Role"] = "Cabinet" });
        Assert.Equal(HttpStatusCode.Redirect, invited.StatusCode);
        var mail = await _nodeA.InTenant(_tenant, (_, db) => db.Notifications.SingleAsync(n => n.Kind == "invitation"));
        var link = Regex.Match(mail.BodyText, @"https://localhost(/Account/AcceptInvite\?user=\d+&code=\S+)").Groups[1].Value;

        var invitee = new CookieContainer();
        var inviteeOnA = _nodeA.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(invitee));
        var inviteeOnB = _nodeB.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(invitee));
        var accepted = await inviteeOnB.SubmitFormToAsync(inviteeOnB, link, new() { ["Input.Password"] = "Cabinet-Password-2026!", ["Input.Confirm"] = "Cabinet-Password-2026!" });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        // Signed in by node B, recognised by node A.
        Assert.Equal(HttpStatusCode.OK, (await inviteeOnA.GetAsync("/Cabinet")).StatusCode);
    }

    [Fact]
    public async Task The_key_ring_lives_in_the_database_and_no_node_keeps_its_own()
    {
        var (a, b) = (Browser(_nodeA), Browser(_nodeB));
        await SignInAsync(a, b);
        var keys = await _nodeA.InTenant(null, (_, db) => db.DataProtectionKeys.ToListAsync());
        Assert.Single(keys);
        // The platform's keys: a tenant's scope neither reads nor writes them.
        Assert.Equal(0, await _nodeA.InTenant(_tenant, (_, db) => db.DataProtectionKeys.CountAsync()));
        await Assert.ThrowsAsync<SuccessPlans.Tenancy.TenantViolationException>(() => _nodeA.InTenant(_tenant, async (_, db) =>
        {
            db.DataProtectionKeys.Add(new Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey { FriendlyName = "forged", Xml = "<key/>" });
            await db.SaveChangesAsync();
        }));
        Assert.False(Directory.Exists(Path.Combine(_nodeA.Root, "keys")) && Directory.EnumerateFiles(Path.Combine(_nodeA.Root, "keys")).Any());
    }
}

/// <summary>With a certificate configured, the keys in the database are encrypted with it, and every node holding it reads them.</summary>
public class SharedKeysProtectedAtRestTests : IAsyncLifetime
{
    private readonly AppFactory _nodeA = new();
    private readonly AppFactory _nodeB = new();
    private int _tenant;

    public async Task InitializeAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=SuccessPlans data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Path.Combine(_nodeA.Root, "dataprotection.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));
        foreach (var node in new[] { _nodeA, _nodeB })
        {
            node.Settings["DataProtection:CertificatePath"] = pfx;
            node.Settings["DataProtection:CertificatePassword"] = "pfx-password";
        }
        _nodeB.Settings["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_nodeA.Root, "app.db")}";
        _tenant = (await _nodeA.CreateTenantAsync("sealed")).Id;
        await _nodeA.CreateUserAsync(_tenant, "admin@sealed.test", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    [Fact]
    public async Task Keys_are_stored_encrypted_and_still_shared()
    {
        var cookies = new CookieContainer();
        var a = _nodeA.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(cookies));
        var b = _nodeB.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(cookies));
        var password = await a.SubmitFormToAsync(b, "/Account/Login", new() { ["Input.Email"] = "admin@sealed.test", ["Input.Password"] = AppFactory.Password });
        var signedIn = await b.SecondFactorToAsync(a, password, _nodeA.AuthenticatorKeys["admin@sealed.test"]);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/Users")).StatusCode);

        var key = Assert.Single(await _nodeA.InTenant(null, (_, db) => db.DataProtectionKeys.ToListAsync()));
        Assert.Contains("<encryptedSecret", key.Xml);
        Assert.Contains("EncryptedXmlDecryptor", key.Xml);
        Assert.DoesNotContain("<masterKey", key.Xml);
    }
}
