using System.Reflection;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using SuccessPlans.Web.Features.Provider;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The OpenAPI document (/openapi/v1.json) says what the API does: who may call each operation (the security schemes
/// read from the endpoint's own authorization, so a new endpoint is covered without a list to keep), and every answer
/// an operation can give (typed results, plus the 400/401/403/415/429 the pipeline itself gives).
/// </summary>
public static class OpenApiHosting
{
    /// <summary>Security scheme ids in the document.</summary>
    public const string CookieScheme = "cookie", ApiKeyScheme = "apiKey", ApiKeyBearerScheme = "apiKeyBearer";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Schools"] = "The schools the caller may see: all of the tenant's for an Admin, their own for a coordinator.",
        ["Students and plans"] = "Students and this school year's success plan, scoped like the pages; plan writes answer the plan as it now is.",
        ["Referrals (providers)"] = "A provider organization's referrals and services, for its own systems (API key) or its signed-in users.",
        ["Cabinet"] = "The cabinet's counts: never a child, small cells suppressed, whole months only.",
    };

    public static void AddSuccessPlansOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((doc, context, _) =>
        {
            // The public address, not the internal one the request came in on behind the proxy.
            doc.Servers = [new OpenApiServer { Url = context.ApplicationServices.GetRequiredService<SuccessPlans.Features.Notifications.PublicUrls>().Base.AbsoluteUri.TrimEnd('/') }];
            doc.Info.Title = "SuccessPlans API";
            doc.Info.Description = "Students, success plans and needs, scoped like the pages: an Admin sees the tenant, a coordinator their schools. Referrals for providers (API key). The cabinet's dashboard: counts only, small cells suppressed. Sign in first; errors are ProblemDetails.";
            if (doc.Tags is not null)
                foreach (var tag in doc.Tags)
                    if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
                        tag.Description = description;
            doc.Components ??= new OpenApiComponents();
            doc.Components.SecuritySchemes = SecuritySchemes(context.ApplicationServices);
            return Task.CompletedTask;
        });
        o.AddOperationTransformer<SecurityRequirements>();
    });

    /// <summary>The two ways in, named as the app really reads them: the Identity cookie, and a provider's API key.</summary>
    private static Dictionary<string, IOpenApiSecurityScheme> SecuritySchemes(IServiceProvider services)
    {
        var cookie = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme).Cookie.Name;
        return new()
        {
            [CookieScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = cookie,
                Description = "The session cookie of a signed-in user (sign in at /Account/Login).",
            },
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "A provider organization's API key (sp_...), made at /ApiKeys.",
            },
            [ApiKeyBearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "sp_{tenant}_{prefix}_{secret}",
                Description = "The same API key as a bearer token: Authorization: Bearer sp_...",
            },
        };
    }

    /// <summary>The document's schemes for each authentication scheme of the app.</summary>
    private static string[] DocumentSchemes(string authenticationScheme) => authenticationScheme switch
    {
        _ when authenticationScheme == IdentityConstants.ApplicationScheme => [CookieScheme],
        ApiKeyAuthenticationHandler.SchemeName => [ApiKeyScheme, ApiKeyBearerScheme],
        _ => [],
    };

    /// <summary>
    /// Each operation's security: the policy the endpoint really runs (its [Authorize] data combined, or the fallback
    /// policy), and the schemes that policy authenticates with (the default one when it names none).
    /// </summary>
    private sealed class SecurityRequirements(IAuthorizationPolicyProvider policies, IAuthenticationSchemeProvider schemes) : IOpenApiOperationTransformer
    {
        public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any())
                return;
            var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.OfType<IAuthorizeData>(), metadata.OfType<AuthorizationPolicy>())
                         ?? await policies.GetFallbackPolicyAsync();
            if (policy is null)
                return;
            IReadOnlyList<string> names = policy.AuthenticationSchemes.Count > 0
                ? policy.AuthenticationSchemes
                : [(await schemes.GetDefaultAuthenticateSchemeAsync())?.Name ?? IdentityConstants.ApplicationScheme];
            // Alternatives: any one of them lets the caller in.
            operation.Security = names.SelectMany(DocumentSchemes).Distinct()
                .Select(id => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, context.Document)] = [] })
                .ToList();
            var roles = policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
            if (roles.Count > 0)
                operation.Description = string.Join(" ", new[] { operation.Description, $"For: {string.Join(", ", roles)}." }.Where(s => !string.IsNullOrEmpty(s)));
        }
    }

    /// <summary>
    /// The answers the pipeline gives before or around a handler, as response metadata on every endpoint of the group
    /// (run last, so it sees the endpoint's own authorization and body): 401 without a valid sign-in or key, 403 for the
    /// wrong role, 400 for a body or query value that does not bind, 415 for a body that is not JSON.
    /// </summary>
    public static TBuilder WithApiContract<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            void Problem(int status, Type type, string description)
            {
                if (!metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
                    metadata.Add(new ProducesResponseTypeMetadata(status, type, ["application/problem+json"]) { Description = description });
            }

            var method = metadata.OfType<MethodInfo>().FirstOrDefault();
            var route = (endpoint as RouteEndpointBuilder)?.RoutePattern;
            var body = metadata.OfType<IAcceptsMetadata>().Any(a => a.RequestType is not null);
            // A query value of a type that parses (a number, a date, an enum) can fail to bind; text cannot.
            var parsedQuery = method?.GetParameters().Any(p =>
                route?.GetParameter(p.Name!) is null && IsParsed(Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType)) ?? false;
            if (body || parsedQuery)
                Problem(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), "The request is not valid: the errors name each field.");
            if (body)
                Problem(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails), "The body is not application/json.");
            // A rate-limited group (provider API keys, the cabinet's exports) answers 429 with Retry-After when spent.
            if (metadata.OfType<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>().Any())
                Problem(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), "Too many requests from this address: try again after the Retry-After seconds.");
            // A rate-limited group (provider API keys, the cabinet's exports) answers 429 with Retry-After when spent.
            if (metadata.OfType<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>().Any())
                Problem(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), "Too many requests from this address: try again after the Retry-After seconds.");
            if (metadata.OfType<IAllowAnonymous>().Any())
                return;
            Problem(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), "Not signed in, or the API key is missing, unknown or revoked.");
            if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null))
                Problem(StatusCodes.Status403Forbidden, typeof(ProblemDetails), "Signed in, but in a role this operation is not for.");
        });
        return builder;
    }

    private static bool IsParsed(Type type) =>
        type.IsEnum || type.IsPrimitive || type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(decimal);
}
