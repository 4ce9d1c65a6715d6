using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Schools;

[Authorize(Policy = Roles.Admin)]
public class EditModel(AppDbContext db, IStringLocalizer<EditModel> L) : PageModel
{
    [BindProperty] public SchoolInput Input { get; set; } = new();
    public bool IsNew => Input.Id == 0;

    public sealed class SchoolInput
    {
        public int Id { get; set; }
        [Required, StringLength(200), Display(Name = "Name")] public string Name { get; set; } = "";
        [StringLength(128), Display(Name = "OneRoster sourcedId (optional)")] public string? ExternalId { get; set; }
        public Guid Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is null) return Page();
        var school = await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (school is null) return NotFound();
        Input = new SchoolInput { Id = school.Id, Name = school.Name, ExternalId = school.ExternalId, Version = school.Version };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Input.Id = id ?? 0;
        var externalId = string.IsNullOrWhiteSpace(Input.ExternalId) ? null : Input.ExternalId.Trim();
        if (externalId is not null && await ExternalIdTakenAsync(externalId, ct))
            ModelState.AddModelError("Input.ExternalId", L["Another school already has this OneRoster id."]);
        if (!ModelState.IsValid)
            return Page();

        School? school;
        if (id is null)
        {
            school = new School { Name = Input.Name.Trim(), ExternalId = externalId };
            db.Schools.Add(school);
        }
        else
        {
            school = await db.Schools.SingleOrDefaultAsync(s => s.Id == id, ct);
            if (school is null) return NotFound();
            // The version the Admin saw: a change made since then is not silently overwritten.
            db.Entry(school).Property(s => s.Version).OriginalValue = Input.Version;
            school.Name = Input.Name.Trim();
            school.ExternalId = externalId;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            ModelState.Clear();
            await OnGetAsync(id, ct);
            ModelState.AddModelError("", L["Someone else changed this school while you were editing. The form now shows their version; make your change again."]);
            return Page();
        }
        catch (DbUpdateException) when (externalId is not null)
        {
            // Another Admin saved a school with this id between the check above and this save: the unique index refused it.
            db.ChangeTracker.Clear();
            if (!await ExternalIdTakenAsync(externalId, ct)) throw;
            ModelState.AddModelError("Input.ExternalId", L["Another school already has this OneRoster id."]);
            return Page();
        }
        TempData["Message"] = L["Saved {0}.", school.Name].Value;
        return RedirectToPage("/Schools/Index");
    }

    private Task<bool> ExternalIdTakenAsync(string externalId, CancellationToken ct) =>
        db.Schools.AnyAsync(s => s.ExternalId == externalId && s.Id != Input.Id, ct);
}
