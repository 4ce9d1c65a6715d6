using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Users;

[Authorize(Policy = Roles.Admin)]
public class EditModel(AppDbContext db, UserManager<AppUser> users, Invitations invitations, CurrentUser me) : PageModel
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
        foreach (var (field, message) in await UserFormChoices.ValidateAsync(db, Input, nameof(Input), ct))
            ModelState.AddModelError(field, message);
        if (user.Id == me.Id && (Input.Role != UserRole.Admin || !Input.Active))
            ModelState.AddModelError("Input.Role", "You cannot remove your own Admin role or deactivate yourself.");
        if (!ModelState.IsValid)
            return await RedisplayAsync(ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The stamp the Admin saw: a change made since then is not silently overwritten.
        // (Identity's store re-attaches the user, so the stamp is set as both the original and current value.)
        db.Entry(user).Property(u => u.ConcurrencyStamp).OriginalValue = Input.ConcurrencyStamp;
        user.ConcurrencyStamp = Input.ConcurrencyStamp;
        user.DisplayName = Input.DisplayName.Trim();
        var scopeChanged = user.Role != Input.Role || user.ProviderOrganizationId != Input.ProviderOrganizationId;
        user.Role = Input.Role!.Value;
        user.ProviderOrganizationId = user.Role == UserRole.Provider ? Input.ProviderOrganizationId : null;
        var wanted = user.Role == UserRole.Coordinator ? Input.SchoolIds.Distinct().ToHashSet() : [];
        db.CoordinatorSchools.RemoveRange(user.CoordinatorSchools.Where(c => !wanted.Contains(c.SchoolId)));
        foreach (var schoolId in wanted.Except(user.CoordinatorSchools.Select(c => c.SchoolId)))
            db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = schoolId });
        var deactivate = !Input.Active && !IsDeactivated(user);
        var reactivate = Input.Active && IsDeactivated(user);
        if (deactivate) user.LockoutEnd = DateTimeOffset.MaxValue;
        if (reactivate) user.LockoutEnd = null;

        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            var stale = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure));
            await transaction.RollbackAsync(ct);
            if (stale)
            {
                // Show the current version, not the posted one, and say why.
                db.ChangeTracker.Clear();
                ModelState.Clear();
                await OnGetAsync(id, ct);
                ModelState.AddModelError("", "Someone else changed this user while you were editing. The form now shows their version; make your change again.");
                return Page();
            }
            ModelState.AddModelError("", string.Join(" ", result.Errors.Select(e => e.Description)));
            return await RedisplayAsync(ct);
        }
        // Open sessions pick up a new role, scope or deactivation at their next validation.
        if (scopeChanged || deactivate || wanted.Count > 0)
            await users.UpdateSecurityStampAsync(user);
        await transaction.CommitAsync(ct);
        TempData["Message"] = $"Saved {user.DisplayName}.";
        return RedirectToPage("/Users/Index");
    }

    public async Task<IActionResult> OnPostResendAsync(int id, CancellationToken ct)
    {
        var user = await FindAsync(id, ct);
        if (user is null) return NotFound();
        if (user.ActivatedAt is not null)
        {
            TempData["Message"] = $"{user.DisplayName} has already chosen a password.";
            return RedirectToPage(new { id });
        }
        var tenantName = await db.Tenants.Select(t => t.Name).SingleAsync(ct);
        await invitations.QueueInvitationAsync(user, tenantName);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = $"A new invitation was sent to {user.Email}.";
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

    private static bool IsDeactivated(AppUser u) => u.LockoutEnd is { Year: > 9000 };
}
