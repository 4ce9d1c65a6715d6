using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Directory.Services;

/// <summary>A service of the directory: Admins edit any; a provider's users edit their own organization's.</summary>
[Authorize(Roles = $"{Roles.Admin},{Roles.Provider}")]
public partial class EditModel(AppDbContext db, CurrentUser me, TimeProvider time, IStringLocalizer<EditModel> L) : PageModel
{
    [BindProperty] public ServiceInput Input { get; set; } = new();
    public IReadOnlyList<SelectListItem> Organizations { get; private set; } = [];
    public bool IsNew => Input.Id == 0;

    public sealed class ServiceInput
    {
        public int Id { get; set; }
        [Display(Name = "Organization")] public int? OrganizationId { get; set; }
        [Required, StringLength(200), Display(Name = "Name")] public string Name { get; set; } = "";
        [StringLength(4000), Display(Name = "Description")] public string? Description { get; set; }
        [Required, Display(Name = "Status")] public string Status { get; set; } = "active";
        [StringLength(1000), Display(Name = "Eligibility")] public string? EligibilityDescription { get; set; }
        [Range(0, 129), Display(Name = "Minimum age")] public int? MinimumAge { get; set; }
        [Range(0, 129), Display(Name = "Maximum age")] public int? MaximumAge { get; set; }
        [Display(Name = "Domain")] public Domain? Domain { get; set; }
        [Display(Name = "Service tier")] public ServiceTier? Tier { get; set; }
        [Range(0, 100000), Display(Name = "Open places (leave empty if you do not say)")] public int? Capacity { get; set; }
        [StringLength(200), Display(Name = "Languages (codes such as: en es pt)")] public string? Languages { get; set; }
        public Guid Version { get; set; }
    }

    public static IReadOnlyList<string> Statuses => HsdsVocabulary.ServiceStatuses;

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        if (id is null) return Page();
        var s = await (await VisibleServicesAsync(ct)).SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return NotFound();
        Input = new ServiceInput
        {
            Id = s.Id, OrganizationId = s.OrganizationId, Name = s.Name, Description = s.Description, Status = s.Status, EligibilityDescription = s.EligibilityDescription,
            MinimumAge = s.MinimumAge, MaximumAge = s.MaximumAge, Domain = s.Domain, Tier = s.Tier, Capacity = s.Capacity, Languages = s.Languages, Version = s.Version,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        Input.Id = id ?? 0;
        var myOrg = await me.ProviderOrganizationIdAsync(ct);
        if (me.IsInRole(Roles.Provider)) Input.OrganizationId = myOrg;
        if (Input.OrganizationId is not { } orgId || !await db.ProviderOrganizations.AnyAsync(o => o.Id == orgId, ct))
            ModelState.AddModelError("Input.OrganizationId", L["Choose the organization."]);
        if (!Statuses.Contains(Input.Status)) ModelState.AddModelError("Input.Status", L["Choose a status from the list."]);
        if (Input.MinimumAge > Input.MaximumAge) ModelState.AddModelError("Input.MaximumAge", L["The maximum age is below the minimum age."]);
        var languages = (Input.Languages ?? "").ToLowerInvariant().Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        if (languages.Any(l => !LanguageCode().IsMatch(l))) ModelState.AddModelError("Input.Languages", L["Use two-letter language codes separated by spaces, such as: en es."]);
        if (!ModelState.IsValid) return Page();

        Service? s;
        if (id is null)
        {
            s = new Service { Name = Input.Name.Trim(), HsdsId = Guid.NewGuid().ToString() };
            db.Services.Add(s);
        }
        else
        {
            s = await (await VisibleServicesAsync(ct)).SingleOrDefaultAsync(x => x.Id == id, ct);
            if (s is null) return NotFound();
            db.Entry(s).Property(x => x.Version).OriginalValue = Input.Version;
        }
        s.OrganizationId = Input.OrganizationId!.Value;
        s.Name = Input.Name.Trim();
        s.Description = Input.Description?.Trim();
        s.Status = Input.Status;
        s.EligibilityDescription = Input.EligibilityDescription?.Trim();
        s.MinimumAge = Input.MinimumAge;
        s.MaximumAge = Input.MaximumAge;
        s.Domain = Input.Domain;
        s.Tier = Input.Tier;
        // Only a changed count is news: the form sends the capacity with every other field.
        if (s.Capacity != Input.Capacity)
            s.GiveCapacity(Input.Capacity, time.GetUtcNow().UtcDateTime);
        s.Languages = languages.Length == 0 ? null : string.Join(' ', languages.Distinct().Order());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await OnGetAsync(id, ct);
            ModelState.AddModelError("", L["Someone else changed this service while you were editing. The form now shows their version; make your change again."]);
            return Page();
        }
        TempData["Message"] = L["Saved {0}.", s.Name].Value;
        return me.IsInRole(Roles.Admin) ? Redirect("/Directory") : Redirect("/Home/Provider");
    }

    /// <summary>An Admin sees every service of the tenant; a provider only their organization's.</summary>
    private async Task<IQueryable<Service>> VisibleServicesAsync(CancellationToken ct)
    {
        if (me.IsInRole(Roles.Admin)) return db.Services;
        var org = await me.ProviderOrganizationIdAsync(ct);
        return db.Services.Where(s => s.OrganizationId == org);
    }

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        var query = db.ProviderOrganizations.AsQueryable();
        if (!me.IsInRole(Roles.Admin))
        {
            var org = await me.ProviderOrganizationIdAsync(ct);
            query = query.Where(o => o.Id == org);
        }
        Organizations = await query.OrderBy(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString())).ToListAsync(ct);
    }

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex LanguageCode();
}
