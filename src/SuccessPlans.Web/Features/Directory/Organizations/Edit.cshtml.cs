using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Directory.Organizations;

[Authorize(Policy = Roles.Admin)]
public class EditModel(AppDbContext db, IStringLocalizer<EditModel> L) : PageModel
{
    [BindProperty] public OrganizationInput Input { get; set; } = new();
    public bool IsNew => Input.Id == 0;

    public sealed class OrganizationInput
    {
        public int Id { get; set; }
        [Required, StringLength(200), Display(Name = "Name")] public string Name { get; set; } = "";
        [StringLength(4000), Display(Name = "Description")] public string? Description { get; set; }
        [EmailAddress, StringLength(256), Display(Name = "Referral email")] public string? Email { get; set; }
        [Url, StringLength(500), Display(Name = "Website")] public string? Website { get; set; }
        public Guid Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is null) return Page();
        var o = await db.ProviderOrganizations.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (o is null) return NotFound();
        Input = new OrganizationInput { Id = o.Id, Name = o.Name, Description = o.Description, Email = o.Email, Website = o.Website, Version = o.Version };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Input.Id = id ?? 0;
        if (!ModelState.IsValid) return Page();
        ProviderOrganization? o;
        if (id is null)
        {
            o = new ProviderOrganization { Name = Input.Name.Trim(), HsdsId = Guid.NewGuid().ToString() };
            db.ProviderOrganizations.Add(o);
        }
        else
        {
            o = await db.ProviderOrganizations.SingleOrDefaultAsync(x => x.Id == id, ct);
            if (o is null) return NotFound();
            db.Entry(o).Property(x => x.Version).OriginalValue = Input.Version;
        }
        o.Name = Input.Name.Trim();
        o.Description = Input.Description?.Trim();
        o.Email = Input.Email?.Trim();
        o.Website = Input.Website?.Trim();
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await OnGetAsync(id, ct);
            ModelState.AddModelError("", L["Someone else changed this organization while you were editing. The form now shows their version."]);
            return Page();
        }
        TempData["Message"] = L["Saved {0}.", o.Name].Value;
        return Redirect("/Directory");
    }
}
