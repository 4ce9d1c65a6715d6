using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Users;
using Scalar.AspNetCore;
using SuccessPlans.Web.Features.Cabinet;
using SuccessPlans.Web.Features.Schools;
using SuccessPlans.Web.Features.Provider;
using SuccessPlans.Web.Features.Students;
using SuccessPlans.Web.Features.Tenants;
using SuccessPlans.Web.Features.Users;

namespace SuccessPlans.Web.Hosting;

public static class WebHosting
{
    /// <summary>Razor Pages live in feature folders (Features/), beside their endpoints and services.</summary>
    public static void AddWebFeatures(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AllowAnonymousToFolder("/Account");
            o.Conventions.AuthorizeFolder("/Users", Roles.Admin);
            o.Conventions.AuthorizeFolder("/Schools", Roles.Admin);
            o.Conventions.AuthorizeFolder("/Settings", Roles.Admin);
            o.Conventions.AuthorizeFolder("/Jobs", Roles.Admin);
            o.Conventions.AuthorizeFolder("/Roster", Roles.Admin);
            o.Conventions.AuthorizeFolder("/Tenants", Roles.Operator);
            o.Conventions.AuthorizeFolder("/Provider", Roles.Provider);
            o.Conventions.AuthorizeFolder("/Cabinet", Roles.Cabinet);
            // The cabinet's home page is its dashboard.
            o.Conventions.AddPageRoute("/Cabinet/Index", "Home/Cabinet");
        }).AddMvcOptions(o => o.Filters.AddService<LocalTimeFilter>())
          // Views say L["English text"] (IViewLocalizer, _ViewImports); the translation sits in
          // Resources/Features/<Folder>/<View>.es.resx. The English text is the key, so English needs no file.
          .AddViewLocalization()
          // Field names and attribute messages: one resource for every form (FormTexts).
          .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SuccessPlans.Web.Features.FormTexts)));
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        // The same resources, each culture's texts read once (TranslatedLocalizers.cs).
        builder.Services.AddSingleton<Microsoft.Extensions.Localization.IStringLocalizerFactory, TranslatedLocalizerFactory>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Mvc.Localization.IHtmlLocalizerFactory, TranslatedHtmlLocalizerFactory>();
        // Model binding's messages and the attributes' default messages in the reader's language.
        builder.Services.AddTransient<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.Mvc.MvcOptions>, FormMessages>();
        builder.Services.AddScoped<LocalTime>();
        builder.Services.AddScoped<LocalTimeFilter>();
        builder.Services.AddProblemDetails();
        // Enums travel by name ("Health", "Need"): readable, and an unknown name (or a number) is a 400, not a guess.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(allowIntegerValues: false)));
        builder.Services.AddSuccessPlansOpenApi();
        builder.AddRateLimits();
        builder.Services.AddScoped<Invitations>();
        builder.Services.AddScoped<TenantProvisioning>();
        builder.Services.AddScoped<SuccessPlans.Web.Features.Students.StudentAccess>();
        builder.Services.AddScoped<SuccessPlans.Web.Features.Notifications.UnreadUpdates>();
        builder.Services.AddScoped<SuccessPlans.Web.Features.Provider.ProviderAccess>();
        builder.Services.AddScoped<SuccessPlans.Web.Features.Audit.AccessRecorder>();
        builder.Services.AddSingleton<SuccessPlans.Web.Features.Account.PasswordResetQueue>();
        builder.Services.AddSingleton<DemoPreparation>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SuccessPlans.Web.Features.Account.PasswordResetQueue>());
    }

    public static void UseSuccessPlansPipeline(this WebApplication app)
    {
        // The API always answers ProblemDetails, never a stack trace; pages show a friendly error page.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages =>
        {
            if (!app.Environment.IsDevelopment()) pages.UseExceptionHandler("/Error");
            // A page's bare 404 or 403 becomes a real page (title, language, the way home), with its status kept.
            pages.UseStatusCodePagesWithReExecute("/Status/{0}");
        });
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseSecurityHeaders();
        // The UI speaks the cultures of Languages.Supported, never the server's: forms must bind and render the same on a
        // de-DE or ar-SA (Um al-Qura calendar) machine.
        app.UseRequestLocalization(UiCultures.Options());
        if (!app.Environment.IsDevelopment())
            app.UseHsts();
        app.UseStaticFiles();
        app.UseRouting();
        // Before authentication: a request waits its turn holding nothing. The cookie's security stamp check (each minute
        // a user) reads the database, and a request that had read it in the queue held a pooled context with its kept
        // SQLite connection: at 32 connections every context of the pool (33), not the 8 at work (issue 15's memory).
        // No limit here reads the user: only the path, method, headers and the client's address.
        app.UseRateLimits();
        app.UseAuthentication();
        app.UseTwoFactorEnrollment();
        app.UseAuthorization();
        // After authorization: an endpoint's policy may have authenticated another scheme (an API key).
        app.UseTenantFromUser();
    }

    public static void MapSuccessPlansEndpoints(this WebApplication app)
    {
        app.MapRazorPages();
        var api = app.MapGroup("/api/v1").WithApiContract();
        api.MapSchoolsApi();
        api.MapStudentsApi();
        api.MapReferralsApi();
        api.MapCabinetApi();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/reference", o => o.WithTitle("SuccessPlans API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts().DisableAgent()).AllowAnonymous();
        app.MapJobsDashboard();
        app.MapHealthEndpoints();
    }
}

/// <summary>The API's errors, as ProblemDetails.</summary>
public static class ApiProblems
{
    /// <summary>The same answer whether the row is missing, another tenant's, or outside the caller's scope.</summary>
    public static NotFoundProblem NotFound(string what, int id) => new($"No {what} {id}.", $"There is no {what} with id {id} that you can see.");
}
