using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// A history's texts are written in the one stored language whoever writes them: a Spanish-speaking provider's decline
/// stores the outcome in English (read back in each reader's language by HistoryTextsTests' shapes).
/// </summary>
public class HistoryTextsWrittenTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant;

    public async Task InitializeAsync() => _tenant = (await _app.CreateTenantAsync("written")).Id;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_Spanish_speaking_providers_decline_is_stored_in_English_and_read_in_each_language()
    {
        var school = (await _app.CreateSchoolAsync(_tenant, "North Elementary")).Id;
        var actor = new Actor(null, "Proveedora");
        var (studentId, referralId) = await _app.InTenant(_tenant, async (sp, db) =>
        {
            var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Bright Eyes" }, Domain = Domain.Academic };
            var student = new Student { GivenName = "Mia", FamilyName = "Lopez", SchoolId = school, Grade = "04" };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 11, 1) });
            db.AddRange(service, plan, new Consent { Student = student, GuardianName = "Rosa", GivenOn = new DateOnly(2026, 11, 1), SharesWithAnyPartner = true, RecordedByName = "test" });
            await db.SaveChangesAsync();
            var referrals = sp.GetRequiredService<ReferralService>();
            var referral = await referrals.SendAsync(student, plan.Items[0].Id, service.Id, actor, false, null);
            using (Languages.Use("es"))
                await referrals.DeclineAsync(referral, ReferralOutcome.NoCapacity, "lleno hasta mayo", actor, referral.Version);
            return (student.Id, referral.Id);
        });
        var (details, note) = await _app.InTenant(_tenant, async (_, db) => (
            await db.StudentEvents.Where(e => e.StudentId == studentId && e.Action == "referral declined").Select(e => e.Details).SingleAsync(),
            await db.Set<ReferralEvent>().Where(e => e.ReferralId == referralId && e.To == ReferralStatus.Declined).Select(e => e.Note).SingleAsync()));
        Assert.Equal($"Referral #{referralId}: no capacity: lleno hasta mayo", details);
        Assert.Equal("no capacity: lleno hasta mayo", note);
        using (Languages.Use("es"))
        {
            Assert.Equal($"Remisión n.º {referralId}: sin cupo: lleno hasta mayo", SuccessPlans.Web.Hosting.CoreText.Show(HistoryDetails.Read("referral declined", details)));
            Assert.Equal("sin cupo: lleno hasta mayo", SuccessPlans.Web.Hosting.CoreText.Show(HistoryDetails.ReadReferralNote(note)));
        }
    }
}
