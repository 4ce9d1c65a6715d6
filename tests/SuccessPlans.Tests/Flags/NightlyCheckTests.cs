using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>The nightly check with fake time: each rule on its day and not the day before, idempotent, catching up, one digest.</summary>
public class NightlyCheckTests : IAsyncLifetime
{
    // 04:00 in New York on Monday 2 November 2026 (EST, UTC-5).
    private static readonly DateTimeOffset Day0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly LocalDay0 = new(2026, 11, 2);

    private SmtpServer _smtp = null!;
    private AppFactory _app = null!;

    private sealed record World(int TenantId, int StudentX, int StudentY, int NeedX, int NeedY, int PlanX, int ServiceId, int OrgId);

    public async Task InitializeAsync()
    {
        _smtp = await SmtpServer.StartNewAsync();
        _app = new AppFactory(Day0);
        _app.Settings["Email:Delivery"] = "Smtp";
        _app.Settings["Email:Smtp:Host"] = "127.0.0.1";
        _app.Settings["Email:Smtp:Port"] = _smtp.Port.ToString();
        _app.Settings["Email:Smtp:Security"] = "None";
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    /// <summary>A tenant with two schools, a coordinator each, and a student with an open need in each school.</summary>
    private async Task<World> WorldAsync(string slug)
    {
        var tenant = (await _app.CreateTenantAsync(slug)).Id;
        var x = (await _app.CreateSchoolAsync(tenant, "X School")).Id;
        var y = (await _app.CreateSchoolAsync(tenant, "Y School")).Id;
        var world = await _app.InTenant(tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Helpers" };
            var service = new Service { Name = "Tutoring", Organization = org, Domain = Domain.Academic };
            var sx = new Student { GivenName = "Xena", FamilyName = "Exe", SchoolId = x };
            var sy = new Student { GivenName = "Yuri", FamilyName = "Why", SchoolId = y };
            var px = new SuccessPlan { Student = sx, SchoolYear = 2026, NextReviewDue = LocalDay0.AddDays(10) };
            var py = new SuccessPlan { Student = sy, SchoolYear = 2026 };
            var nx = new PlanItem { Plan = px, Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = LocalDay0 };
            var ny = new PlanItem { Plan = py, Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Glasses", Status = NeedStatus.Open, IdentifiedOn = LocalDay0 };
            db.AddRange(service, px, py, nx, ny);
            await db.SaveChangesAsync();
            return new World(tenant, sx.Id, sy.Id, nx.Id, ny.Id, px.Id, service.Id, org.Id);
        });
        await _app.CreateUserAsync(tenant, $"cx@{slug}.test", UserRole.Coordinator, [x]);
        await _app.CreateUserAsync(tenant, $"cy@{slug}.test", UserRole.Coordinator, [y]);
        return world;
    }

    private async Task RunOnDayAsync(int tenantId, int day)
    {
        _app.Time.SetUtcNow(Day0.AddDays(day));
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, tenantId, "test", CancellationToken.None);
    }

    private Task<List<(FlagKind Kind, int Subject)>> OpenFlagsAsync(int tenantId) => _app.InTenant(tenantId, async (_, db) =>
        (await db.Flags.Where(f => f.ResolvedAt == null).Select(f => new { f.Kind, f.SubjectId }).ToListAsync()).Select(f => (f.Kind, f.SubjectId)).Order().ToList());

    private Task<int> AddReferralAsync(World w, int day, ReferralStatus status, DateTime? answeredAt = null) => _app.InTenant(w.TenantId, async (_, db) =>
    {
        var r = new Referral
        {
            StudentId = w.StudentX, NeedId = w.NeedX, ServiceId = w.ServiceId, OrganizationId = w.OrgId, Status = status, SentByName = "c",
            SchoolId = await db.Students.Where(s => s.Id == w.StudentX).Select(s => s.SchoolId).SingleAsync(),
            SentAt = Day0.AddDays(day).UtcDateTime, AnsweredAt = answeredAt,
        };
        db.Referrals.Add(r);
        await db.SaveChangesAsync();
        return r.Id;
    });

    [Fact]
    public async Task An_unmet_need_is_flagged_on_day_14_and_not_on_day_13_and_clears_when_referred()
    {
        var w = await WorldAsync("unmet");
        await RunOnDayAsync(w.TenantId, 13);
        Assert.DoesNotContain((FlagKind.UnmetNeed, w.NeedX), await OpenFlagsAsync(w.TenantId));
        await RunOnDayAsync(w.TenantId, 14);
        Assert.Contains((FlagKind.UnmetNeed, w.NeedX), await OpenFlagsAsync(w.TenantId));

        await AddReferralAsync(w, 14, ReferralStatus.Sent);
        await RunOnDayAsync(w.TenantId, 15);
        Assert.DoesNotContain((FlagKind.UnmetNeed, w.NeedX), await OpenFlagsAsync(w.TenantId));
        Assert.NotNull(await _app.InTenant(w.TenantId, (_, db) => db.Flags.Where(f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == w.NeedX).Select(f => f.ResolvedAt).SingleAsync()));
    }

    [Fact]
    public async Task No_response_on_day_7_stalled_on_day_21_and_expiry_after_the_window()
    {
        var w = await WorldAsync("silent");
        var sent = await AddReferralAsync(w, 0, ReferralStatus.Sent);
        await RunOnDayAsync(w.TenantId, 6);
        Assert.DoesNotContain((FlagKind.NoResponse, sent), await OpenFlagsAsync(w.TenantId));
        await RunOnDayAsync(w.TenantId, 7);
        Assert.Contains((FlagKind.NoResponse, sent), await OpenFlagsAsync(w.TenantId));

        var accepted = await AddReferralAsync(w, 0, ReferralStatus.Accepted, Day0.UtcDateTime);
        await RunOnDayAsync(w.TenantId, 20);
        Assert.DoesNotContain((FlagKind.Stalled, accepted), await OpenFlagsAsync(w.TenantId));
        await RunOnDayAsync(w.TenantId, 21);
        Assert.Contains((FlagKind.Stalled, accepted), await OpenFlagsAsync(w.TenantId));

        await RunOnDayAsync(w.TenantId, 29);
        Assert.Equal(ReferralStatus.Sent, await _app.InTenant(w.TenantId, (_, db) => db.Referrals.Where(r => r.Id == sent).Select(r => r.Status).SingleAsync()));
        await RunOnDayAsync(w.TenantId, 30);
        Assert.Equal(ReferralStatus.Expired, await _app.InTenant(w.TenantId, (_, db) => db.Referrals.Where(r => r.Id == sent).Select(r => r.Status).SingleAsync()));
        // The no-response flag closed with the expiry.
        Assert.DoesNotContain((FlagKind.NoResponse, sent), await OpenFlagsAsync(w.TenantId));
    }

    [Fact]
    public async Task A_declined_referral_makes_the_need_unmet_again_at_once_and_overdue_reviews_are_flagged()
    {
        var w = await WorldAsync("again");
        await AddReferralAsync(w, 0, ReferralStatus.Declined);
        await RunOnDayAsync(w.TenantId, 1);
        Assert.Contains((FlagKind.UnmetNeed, w.NeedX), await OpenFlagsAsync(w.TenantId));

        await RunOnDayAsync(w.TenantId, 10);
        Assert.DoesNotContain((FlagKind.ReviewOverdue, w.PlanX), await OpenFlagsAsync(w.TenantId));
        await RunOnDayAsync(w.TenantId, 11);
        Assert.Contains((FlagKind.ReviewOverdue, w.PlanX), await OpenFlagsAsync(w.TenantId));
    }

    [Fact]
    public async Task A_second_run_the_same_night_changes_nothing_and_sends_nothing()
    {
        var w = await WorldAsync("twice");
        await RunOnDayAsync(w.TenantId, 14);
        var flags = await _app.InTenant(w.TenantId, (_, db) => db.Flags.AsNoTracking().OrderBy(f => f.Id).ToListAsync());
        var mails = await _app.InTenant(w.TenantId, (_, db) => db.Notifications.CountAsync());
        await RunOnDayAsync(w.TenantId, 14);
        var again = await _app.InTenant(w.TenantId, (_, db) => db.Flags.AsNoTracking().OrderBy(f => f.Id).ToListAsync());
        Assert.Equal(flags.Select(f => (f.Id, f.Version)), again.Select(f => (f.Id, f.Version)));
        Assert.Equal(mails, await _app.InTenant(w.TenantId, (_, db) => db.Notifications.CountAsync()));
        Assert.Equal(2, mails);
    }

    [Fact]
    public async Task After_three_nights_down_the_next_run_leaves_what_nightly_runs_would_and_one_digest_each()
    {
        var nightly = await WorldAsync("nightly");
        var late = await WorldAsync("late");
        foreach (var w in new[] { nightly, late })
        {
            await AddReferralAsync(w, 8, ReferralStatus.Sent);
        }
        for (var day = 14; day <= 17; day++)
            await RunOnDayAsync(nightly.TenantId, day);
        await RunOnDayAsync(late.TenantId, 17);

        static IEnumerable<FlagKind> Kinds(List<(FlagKind Kind, int Subject)> f) => f.Select(x => x.Kind).Order();
        Assert.Equal(Kinds(await OpenFlagsAsync(nightly.TenantId)), Kinds(await OpenFlagsAsync(late.TenantId)));
        var digests = await _app.InTenant(late.TenantId, (_, db) => db.Notifications.Where(n => n.Kind == "digest").Select(n => n.RecipientEmail).ToListAsync());
        Assert.Equal(["cx@late.test", "cy@late.test"], digests.Order());
    }

    [Fact]
    public async Task The_digest_reaches_a_real_smtp_server_once_with_only_the_coordinators_schools()
    {
        var w = await WorldAsync("digest");
        await RunOnDayAsync(w.TenantId, 14);
        var dispatcher = _app.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.SendPendingAsync(CancellationToken.None);
        await RunOnDayAsync(w.TenantId, 14);
        await dispatcher.SendPendingAsync(CancellationToken.None);

        var messages = _smtp.Messages();
        Assert.Equal(2, messages.Count);
        var toX = Assert.Single(messages, m => m.Contains("cx@digest.test"));
        Assert.Contains("Unmet need", toX);
        Assert.Contains("Xena Exe", toX);
        Assert.Contains($"/Students/{w.StudentX}", toX);
        Assert.DoesNotContain("Yuri", toX);
    }

    [Fact]
    public async Task Each_coordinator_reads_the_digest_in_their_own_language()
    {
        var w = await WorldAsync("idioma");
        // cy chose Spanish under My settings; cx chose nothing: English.
        await _app.InTenant(w.TenantId, async (_, db) => await db.Users.Where(u => u.Email == "cy@idioma.test").ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, "es")));
        await RunOnDayAsync(w.TenantId, 14);
        await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);

        var messages = Directory.EnumerateFiles(Path.Combine(_smtp.Maildir, "new")).Select(f => MimeKit.MimeMessage.Load(f)).ToList();
        var spanish = Assert.Single(messages, m => m.To.ToString().Contains("cy@idioma.test"));
        Assert.Equal("SuccessPlans: 1 alerta(s) abierta(s) el 16 nov 2026", spanish.Subject);
        Assert.Contains("Buenos días, cy:", spanish.TextBody);
        Assert.Contains("encontró 1 alerta(s) abierta(s) en sus escuelas (1 nueva(s) hoy)", spanish.TextBody);
        Assert.Contains("Necesidad no atendida (1)", spanish.TextBody);
        Assert.Contains("Buenos días, cy:", spanish.HtmlBody);
        var english = Assert.Single(messages, m => m.To.ToString().Contains("cx@idioma.test"));
        Assert.Matches(@"^SuccessPlans: \d+ open flag\(s\) for Nov 16, 2026$", english.Subject);
        Assert.Contains("Good morning cx,", english.TextBody);
        Assert.Contains("Unmet need (1)", english.TextBody);
    }

    [Fact]
    public async Task The_digest_writes_the_checks_own_sentences_in_the_recipients_language()
    {
        var w = await WorldAsync("resumen");
        await _app.InTenant(w.TenantId, async (_, db) =>
        {
            await db.Users.Where(u => u.Email == "cy@resumen.test").ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, "es"));
            // Both plans' reviews were due on 5 November: the check stores "Review was due 2026-11-05" in English.
            await db.Plans.ExecuteUpdateAsync(p => p.SetProperty(x => x.NextReviewDue, LocalDay0.AddDays(3)));
        });
        await RunOnDayAsync(w.TenantId, 14);
        await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);

        var messages = Directory.EnumerateFiles(Path.Combine(_smtp.Maildir, "new")).Select(f => MimeKit.MimeMessage.Load(f)).ToList();
        var spanish = Assert.Single(messages, m => m.To.ToString().Contains("cy@resumen.test"));
        // The stored day in the recipient's way of writing dates, the subject's day too (the tenant's 16 November).
        Assert.Contains("Yuri Why: La revisión vencía el 5 nov 2026", spanish.TextBody);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("La revisión vencía el 5 nov 2026"), spanish.HtmlBody);
        Assert.EndsWith(" 16 nov 2026", spanish.Subject);
        Assert.DoesNotContain("Review was due", spanish.TextBody + spanish.HtmlBody);
        var english = Assert.Single(messages, m => m.To.ToString().Contains("cx@resumen.test"));
        Assert.Contains("Xena Exe: Review was due Nov 5, 2026", english.TextBody);
        Assert.EndsWith(" Nov 16, 2026", english.Subject);
    }

    [Fact]
    public async Task The_digest_names_the_first_flags_of_each_kind_by_name_and_counts_the_rest_with_a_link_to_the_worklist()
    {
        var w = await WorldAsync("many");
        var extra = NightlyCheckJob.DigestNamesPerKind + 2;
        await _app.InTenant(w.TenantId, async (_, db) =>
        {
            var school = await db.Students.Where(s => s.Id == w.StudentX).Select(s => s.SchoolId).SingleAsync();
            // Family names "Aa00".. sort before Xena Exe's: she and the last two are counted, not named.
            for (var n = 0; n < extra; n++)
            {
                var plan = new SuccessPlan { Student = new Student { GivenName = "Kid", FamilyName = $"Aa{n:00}", SchoolId = school }, SchoolYear = 2026 };
                db.Add(new PlanItem { Plan = plan, Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = LocalDay0 });
            }
            await db.SaveChangesAsync();
        });
        await RunOnDayAsync(w.TenantId, 14);

        var (text, html, userId) = await _app.InTenant(w.TenantId, async (_, db) => await db.Notifications.Where(n => n.Kind == "digest" && n.RecipientEmail == "cx@many.test")
            .Select(n => ValueTuple.Create(n.BodyText, n.BodyHtml!, n.RecipientUserId!.Value)).SingleAsync());
        // Xena's plan is past its review too: that kind is counted and named with the rest.
        Assert.Contains($"found {extra + 2} open flag(s) for your schools ({extra + 2} new today)", text);
        Assert.Contains("Plan review overdue (1)", text);
        Assert.Contains($"Unmet need ({extra + 1})", text);
        Assert.Equal(NightlyCheckJob.DigestNamesPerKind, text.Split('\n').Count(l => l.StartsWith("- Kid Aa", StringComparison.Ordinal)));
        Assert.Contains("- Kid Aa49: Reading [new]", text);
        Assert.DoesNotContain("Aa50", text + html);
        Assert.DoesNotContain("- Xena Exe: Reading", text);
        Assert.Contains("- Xena Exe: Review was due", text);
        Assert.Contains("... and 3 more in SuccessPlans: http", text);
        Assert.Contains("/Home/Coordinator?Kind=UnmetNeed#flags", text);
        Assert.Contains("/Home/Coordinator?Kind=UnmetNeed#flags", html);
        // The access log names the children the email names, and only them.
        var logged = await _app.InTenant(w.TenantId, (_, db) => db.AccessLog
            .Where(e => e.UserId == userId && e.Action == SuccessPlans.Features.Audit.AccessAction.DigestEmail).Select(e => e.StudentId).ToListAsync());
        Assert.Equal(NightlyCheckJob.DigestNamesPerKind + 1, logged.Count);
        Assert.Contains(w.StudentX, logged);
        Assert.Equal(logged.Count, logged.Distinct().Count());
    }

    [Fact]
    public async Task No_digest_when_there_is_nothing_to_say_and_another_tenant_is_untouched()
    {
        var quiet = await WorldAsync("quiet");
        var other = await WorldAsync("other");
        await RunOnDayAsync(quiet.TenantId, 3);
        Assert.Empty(await OpenFlagsAsync(quiet.TenantId));
        Assert.Equal(0, await _app.InTenant(quiet.TenantId, (_, db) => db.Notifications.CountAsync()));

        await RunOnDayAsync(quiet.TenantId, 14);
        Assert.NotEmpty(await OpenFlagsAsync(quiet.TenantId));
        Assert.Empty(await OpenFlagsAsync(other.TenantId));
        Assert.Equal(0, await _app.InTenant(other.TenantId, (_, db) => db.Notifications.CountAsync()));
        Assert.Equal(0, await _app.InTenant(other.TenantId, (_, db) => db.JobRuns.CountAsync()));
    }

    [Fact]
    public async Task Coordinators_see_their_flags_and_dismiss_one_with_a_reason()
    {
        var w = await WorldAsync("seen");
        await RunOnDayAsync(w.TenantId, 14);
        var cx = await _app.SignedInAsync("cx@seen.test");
        var home = await (await cx.GetAsync("/Home/Coordinator")).Content.ReadAsStringAsync();
        Assert.Contains("Xena Exe", home);
        Assert.DoesNotContain("Yuri", home);
        Assert.Contains("Xena", await (await cx.GetAsync("/Students?openFlags=true")).Content.ReadAsStringAsync());

        var empty = await cx.SubmitFormAsync($"/Students/{w.StudentX}", [], formSelector: "form[action*='handler=DismissFlag']");
        Assert.Contains("Say why you dismiss the flag.", await empty.Content.ReadAsStringAsync());
        // Xena has two flags (unmet need, overdue review); dismiss both.
        for (var i = 0; i < 2; i++)
            await cx.SubmitFormAsync($"/Students/{w.StudentX}", new() { ["reason"] = "Family declined services for now" }, formSelector: "form[action*='handler=DismissFlag']");
        Assert.DoesNotContain("Xena Exe", await (await cx.GetAsync("/Home/Coordinator")).Content.ReadAsStringAsync());
        var flag = await _app.InTenant(w.TenantId, (_, db) => db.Flags.SingleAsync(f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == w.NeedX));
        Assert.Equal(("Family declined services for now", (DateTime?)null), (flag.DismissReason, flag.ResolvedAt));

        // Still the same open flag the next night: dismissed, not recreated.
        await RunOnDayAsync(w.TenantId, 15);
        Assert.Equal(1, await _app.InTenant(w.TenantId, (_, db) => db.Flags.CountAsync(f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == w.NeedX)));
    }
}
