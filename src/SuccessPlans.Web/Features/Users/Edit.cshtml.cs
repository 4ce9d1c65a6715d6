using Microsoft.AspNetCore.Authorization;
using SuccessPlans.Features.Plans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Users;

[Authorize(Policy = Roles.Admin)]
public class EditModel(AppDbContext db, UserScopeService scopes, Invitations invitations, CurrentUser me, IStringLocalizer<EditModel> L) : PageModel
{
    [BindProperty] public EditInput Input { get; set; } = new();
    public UserFormChoices Choices { get; private set; } = new();
    public string Email { get; private set; } = "";
    public bool Invited { get; private set; }

    public sealed class EditInput : UserInput
    {
        public bool Active { get; set; } = true;
        public string ConcurrencyStamp { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var user = await FindAsync(id, ct);
        if (user is null) return NotFound();
        Fill(user);
        Input = new EditInput
        {
            DisplayName = user.DisplayName,
            Role = user.Role,
            SchoolIds = user.CoordinatorSchools.Select(c => c.SchoolId).ToList(),
            ProviderOrganizationId = user.ProviderOrganizationId,
            Active = !IsDeactivated(user),
            ConcurrencyStamp = user.ConcurrencyStamp ?? "",
        };
        Choices = await UserFormChoices.LoadAsync(db, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        var user = await FindAsync(id, ct);
        if (user is null) return NotFound();
        Fill(user);
        if (!ModelState.IsValid)
            return await RedisplayAsync(ct);
        try
        {
            await scopes.UpdateAsync(user, Input.ToRequest(Input.Active), Input.ConcurrencyStamp, me.Id, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => field.Length == 0 ? "" : $"Input.{field}");
            return await RedisplayAsync(ct);
        }
        catch (ConcurrencyConflictException e)
        {
            // Show the current version, not the posted one, and say why.
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await OnGetAsync(id, ct);
            ModelState.AddError(e);
            return Page();
        }
        TempData["Message"] = L["Saved {0}.", user.DisplayName].Value;
        return RedirectToPage("/Users/Index");
    }

    public async Task<IActionResult> OnPostResendAsync(int id, CancellationToken ct)
    {
        var user = await FindAsync(id, ct);
        if (user is null) return NotFound();
        if (user.ActivatedAt is not null)
        {
            TempData["Message"] = L["{0} has already chosen a password.", user.DisplayName].Value;
            return RedirectToPage(new { id });
        }
        var tenantName = await db.Tenants.Select(t => t.Name).SingleAsync(ct);
        await invitations.QueueInvitationAsync(user, tenantName);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["A new invitation was sent to {0}.", user.Email ?? ""].Value;
        return RedirectToPage(new { id });
    }

    private Task<AppUser?> FindAsync(int id, CancellationToken ct) =>
        db.Users.Include(u => u.CoordinatorSchools).SingleOrDefaultAsync(u => u.Id == id && u.Role != UserRole.Operator, ct);

    private void Fill(AppUser user)
    {
        Email = user.Email ?? "";
        Invited = user.ActivatedAt is null;
    }

    private async Task<IActionResult> RedisplayAsync(CancellationToken ct)
    {
        Choices = await UserFormChoices.LoadAsync(db, ct);
        return Page();
    }

    private static bool IsDeactivated(AppUser u) => UserScopeService.IsDeactivated(u);
}
