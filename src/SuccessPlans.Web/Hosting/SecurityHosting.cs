using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Hosting;

public static class SecurityHosting
{
    public static void AddIdentityAndSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentityCore<AppUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = true;
                o.Password.RequiredUniqueChars = 6;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddSignInManager()
            .AddErrorDescriber<IdentityTexts>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SuccessPlans.Features.Accounts.PasswordResetTokenProvider>(SuccessPlans.Features.Accounts.PasswordResetTokenProvider.Name)
            .AddClaimsPrincipalFactory<AppClaimsPrincipalFactory>();

        // Invitation links stay valid for a week (Identity's provider); "forgot password" links have their own, of 2 hours.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(7));
        // A changed role or a deactivation reaches open sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, SuccessPlans.Web.Features.Provider.ApiKeyAuthenticationHandler>(SuccessPlans.Web.Features.Provider.ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthentication().AddIdentityCookies();
        // After the cookie scheme's own post-configuration, which makes the format this wraps.
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, KeptTicketFormat.Install>();
        var development = builder.Environment.IsDevelopment();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "successplans.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure everywhere but the newcomer's plain-http localhost run.
            o.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            // Identity's check of the security stamp, asked only when it is due (ValidateStampWhenDueAsync).
            o.Events.OnValidatePrincipal = ValidateStampWhenDueAsync;
            // The API answers with status codes, never with a redirect to a login page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status403Forbidden);
            // The user's language also goes in the culture cookie, so the sign-in page speaks it after they sign out.
            o.Events.OnSignedIn = ctx =>
            {
                if (SuccessPlans.Languages.For(ctx.Principal?.FindFirst(UiCultures.LanguageClaim)?.Value) is { } culture)
                    UiCultures.Remember(ctx.Response, culture, ctx.Request.IsHttps);
                return Task.CompletedTask;
            };
        });

        // The cookie between the password and the second factor: as guarded as the session's, and short.
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = "successplans.2fa";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "successplans.af";
            o.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        // The antiforgery cookie, the same for a whole session, decrypted once a minute rather than at every page.
        KeptAntiforgeryTokens.Install(services);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.Coordinator, p => p.RequireRole(Roles.Coordinator))
            .AddPolicy(Roles.Provider, p => p.RequireRole(Roles.Provider))
            .AddPolicy(Roles.Cabinet, p => p.RequireRole(Roles.Cabinet, Roles.Admin))
            .AddPolicy(Roles.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Policies.StaffOfSchools, p => p.RequireRole(Roles.Admin, Roles.Coordinator))
            // Provider systems use an API key; provider users may call the same endpoints signed in.
            .AddPolicy(SuccessPlans.Web.Features.Provider.ReferralsApi.Policy, p => p
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, SuccessPlans.Web.Features.Provider.ApiKeyAuthenticationHandler.SchemeName)
                .RequireRole(Roles.Provider));

        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
    }

    /// <summary>
    /// Identity's own test, asked first: has the validation interval passed since the cookie was issued? Identity's
    /// handler resolves its validator (a SignInManager and a UserManager with a dozen services of their own) at every
    /// request only to answer that: 2% of the CPU of a page (issue 15). When it is due, Identity's check runs unchanged.
    /// </summary>
    private static Task ValidateStampWhenDueAsync(CookieValidatePrincipalContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
        var now = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
        if (context.Properties.IssuedUtc is { } issued && now - issued <= options.ValidationInterval)
            return Task.CompletedTask;
        return SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    private static Task ApiAware(HttpContext http, string redirectUri, int status)
    {
        if (http.Request.Path.StartsWithSegments("/api"))
            http.Response.StatusCode = status;
        else
            http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A user who must have a second factor and has none yet reaches only the enrolment page (and sign-out) until they
    /// enrol: every other page redirects there and the API answers 403.
    /// </summary>
    public static IApplicationBuilder UseTwoFactorEnrollment(this IApplicationBuilder app) => app.Use((http, next) =>
        http.User.HasClaim(c => c.Type == AppClaims.MustEnrollTwoFactor)
            && !http.Request.Path.StartsWithSegments("/Account/TwoFactor")
            && !http.Request.Path.StartsWithSegments("/Account/Logout")
            && !http.Request.Path.StartsWithSegments("/Status")
            ? SendToEnrollmentAsync(http)
            : next(http)); // the usual way: no state machine of its own (issue 15)

    private static async Task SendToEnrollmentAsync(HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = 403, Title = "Two-factor authentication required.", Detail = "Set up two-factor authentication at /Account/TwoFactor first." },
            });
        }
        else
            http.Response.Redirect("/Account/TwoFactor");
    }

    /// <summary>The tenant of a request comes from the signed-in user's claim, never from a header or the query string.</summary>
    public static IApplicationBuilder UseTenantFromUser(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.User.FindFirstValue(AppClaims.TenantId) is { } value && int.TryParse(value, out var tenantId))
            http.RequestServices.GetRequiredService<CurrentTenant>().Set(tenantId);
        return next(http);
    });

    // The content security policy, written once: our own pages, and those that ship inline scripts and styles.
    private static string ContentPolicy(string inline) =>
        $"default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    private static readonly string OwnPolicy = ContentPolicy("");
    private static readonly string InlinePolicy = ContentPolicy(" 'unsafe-inline'");

    /// <summary>CSP, framing, content-type sniffing, referrer and permissions headers on every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Read now: the dashboard moves "/hangfire" into PathBase before the response starts.
        // The Hangfire dashboard and the API reference (Scalar) ship inline scripts and styles; our own pages have none.
        var policy = http.Request.Path.StartsWithSegments("/hangfire") || http.Request.Path.StartsWithSegments("/api/reference") ? InlinePolicy : OwnPolicy;
        http.Response.OnStarting(static state =>
        {
            var (response, policy) = ((HttpResponse, string))state;
            var h = response.Headers;
            h.ContentSecurityPolicy = policy;
            h.XFrameOptions = "DENY";
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "strict-origin-when-cross-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, (http.Response, policy));
        return next(http);
    });
}

public static class Policies
{
    /// <summary>Admins (whole tenant) and coordinators (their schools).</summary>
    public const string StaffOfSchools = "StaffOfSchools";
}
