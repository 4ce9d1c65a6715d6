using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SuccessPlans.Features.Notifications;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// What running as several nodes behind a TLS-terminating proxy needs: the public address (App:BaseUrl),
/// the proxy's forwarded scheme and client address, HSTS, and one data-protection key ring in the database.
/// </summary>
public static class ProductionHosting
{
    /// <summary>All nodes share this name, so each reads what another protected (cookies, antiforgery tokens, invitation links).</summary>
    public const string ApplicationName = "SuccessPlans";

    public static void AddProductionHosting(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.Replace(ServiceDescriptor.Singleton(PublicUrls.From(config, required: builder.Environment.IsProduction())));

        var forwarded = ForwardedHeaders(config);
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            // Loopback (a proxy on the same machine) stays trusted; the configured proxies and networks are added to it.
            foreach (var proxy in forwarded.Proxies) o.KnownProxies.Add(proxy);
            foreach (var network in forwarded.Networks) o.KnownIPNetworks.Add(network);
        });
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = false;
        });

        // The native heap's free pages go back to the system (its interval read here, so a wrong value stops the start).
        NativeHeapTrim.IntervalFrom(config);
        builder.Services.AddHostedService<NativeHeapTrim>();

        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<AppDbContext>();
        if (Certificate(config, "DataProtection:CertificatePath", "DataProtection:CertificatePassword") is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
            // Keys written under the previous certificate stay readable while a new one takes over.
            var previous = Certificate(config, "DataProtection:PreviousCertificatePath", "DataProtection:PreviousCertificatePassword");
            dataProtection.UnprotectKeysWithAnyCertificate(previous is null ? [certificate] : [certificate, previous]);
        }
    }

    /// <summary>First in the pipeline: the scheme and client address the proxy saw, before cookies, antiforgery and HSTS look at them.</summary>
    public static void UseForwardedHeadersFromKnownProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Outside Development cookies and antiforgery are Secure-only, so plain HTTP would end in a 500, not only in Production.
        if (!app.Environment.IsDevelopment())
            app.Use(RefusePlainHttp);
    }

    /// <summary>
    /// Outside Development every page needs HTTPS (Secure cookies, antiforgery): a plain-HTTP request, direct or through a
    /// proxy the app does not know, gets a 400 that says what to fix instead of a 500. /health stays open to probes.
    /// </summary>
    private static Task RefusePlainHttp(HttpContext http, RequestDelegate next) =>
        http.Request.IsHttps || http.Request.Path.StartsWithSegments("/health") ? next(http) : RefuseAsync(http);

    private static async Task RefuseAsync(HttpContext http)
    {
        var urls = http.RequestServices.GetRequiredService<PublicUrls>();
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProductionHosting))
            .LogWarning("Refused a plain-HTTP request from {RemoteIp} (X-Forwarded-Proto: {Proto}): a proxy must be listed in ForwardedHeaders:KnownProxies or KnownNetworks",
                http.Connection.RemoteIpAddress, http.Request.Headers["X-Forwarded-Proto"].ToString());
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync($"SuccessPlans is served over HTTPS only: open {urls.Base.AbsoluteUri}\n" +
            "(Administrators: if this request came through your proxy, add its address to ForwardedHeaders:KnownProxies or KnownNetworks.)\n");
    }

    private sealed record Forwarding(IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks);

    private static Forwarding ForwardedHeaders(IConfiguration config)
    {
        var proxies = new List<IPAddress>();
        foreach (var value in List(config, "ForwardedHeaders:KnownProxies"))
            proxies.Add(IPAddress.TryParse(value, out var ip) ? ip
                : throw new StartupException($"ForwardedHeaders:KnownProxies has '{value}', which is not an IP address: list the proxies' addresses, separated by commas."));
        var networks = new List<System.Net.IPNetwork>();
        foreach (var value in List(config, "ForwardedHeaders:KnownNetworks"))
            networks.Add(System.Net.IPNetwork.TryParse(value, out var network) ? network
                : throw new StartupException($"ForwardedHeaders:KnownNetworks has '{value}', which is not a network: write each as address/prefix, for example 10.0.0.0/8."));
        return new Forwarding(proxies, networks);
    }

    /// <summary>A comma-separated value (one environment variable) or an array (ForwardedHeaders__KnownProxies__0, ...).</summary>
    private static IEnumerable<string> List(IConfiguration config, string key)
    {
        var section = config.GetSection(key);
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static X509Certificate2? Certificate(IConfiguration config, string pathKey, string passwordKey)
    {
        if (config[pathKey] is not { Length: > 0 } path)
            return null;
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, config[passwordKey]);
            if (!certificate.HasPrivateKey)
                throw new StartupException($"{pathKey} '{path}' has no private key: the keys it protects could not be read back; export the certificate with its key (.pfx).");
            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{pathKey} '{path}' cannot be read ({e.Message.Split('\n')[0].Trim()}): check the file and {passwordKey}.", e);
        }
    }
}
