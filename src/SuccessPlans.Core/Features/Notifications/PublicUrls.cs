using Microsoft.Extensions.Configuration;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Notifications;

/// <summary>
/// Builds every address that leaves the app (emails, invitations, digests, the API document) from App:BaseUrl,
/// never from the request: behind a proxy the request sees the internal address, and jobs have no request at all.
/// </summary>
public sealed class PublicUrls
{
    public const string Setting = "App:BaseUrl";

    /// <summary>`dotnet run`'s address, for Development and tests that set nothing.</summary>
    public const string DevelopmentDefault = "http://localhost:5080";

    public PublicUrls(Uri baseUrl) => Base = baseUrl;

    /// <summary>The public origin and path prefix, without a trailing slash.</summary>
    public Uri Base { get; }

    /// <summary>Reads App:BaseUrl; <paramref name="required"/> (Production) refuses to start without an absolute https address.</summary>
    public static PublicUrls From(IConfiguration config, bool required)
    {
        var value = config[Setting]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            if (required)
                throw new StartupException("App:BaseUrl is empty: set App__BaseUrl to the public https address users open (for example https://plans.example.org); links in emails are built from it.");
            value = DevelopmentDefault;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new StartupException($"App:BaseUrl '{value}' is not an absolute http(s) address without query: set App__BaseUrl to the public address, for example https://plans.example.org.");
        // Cookies are Secure outside Development, so a plain-http public address could never be signed into.
        if (required && uri.Scheme != "https")
            throw new StartupException($"App:BaseUrl '{value}' is not https: in Production the app is served over TLS (see infra/RUNBOOK.md); set App__BaseUrl to its https address.");
        return new PublicUrls(new Uri(value.TrimEnd('/'), UriKind.Absolute));
    }

    /// <summary>An absolute public address for an app path such as "/Students/12" (a query string may follow the path).</summary>
    public string For(string pathAndQuery) => Base.AbsoluteUri.TrimEnd('/') + "/" + pathAndQuery.TrimStart('/');

    public string Student(int studentId) => For($"/Students/{studentId}");

    public string ProviderReferral(int referralId) => For($"/Provider/Referrals/{referralId}");

    public string AcceptInvitation(int userId, string code) => For($"/Account/AcceptInvite?user={userId}&code={Uri.EscapeDataString(code)}");
}
