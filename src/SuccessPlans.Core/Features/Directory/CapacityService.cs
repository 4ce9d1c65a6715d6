using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// A service's capacity, kept true by its provider: open places (0 = full; unknown when not given) and whether it
/// keeps a waitlist. A "no capacity" decline marks the service full in <see cref="Referrals.ReferralService"/>.
/// </summary>
public sealed class CapacityService(AppDbContext db, TimeProvider time)
{
    public const int MaxPlaces = 100_000;

    /// <summary>Sets open places and the waitlist. The caller has checked that the user may edit this service.</summary>
    public async Task SetAsync(Service service, int? openPlaces, bool hasWaitlist, Guid? version, CancellationToken ct = default)
    {
        if (openPlaces is < 0 or > MaxPlaces)
            throw ValidationFailedException.For("OpenPlaces", $"Give the open places as a number from 0 (full) to {MaxPlaces:N0}, or leave it empty if you do not say.");
        if (version is { } v)
        {
            if (v != service.Version)
                throw new ConcurrencyConflictException("Someone else changed this service a moment ago. The page now shows where it stands.");
            db.Entry(service).Property(s => s.Version).OriginalValue = v;
        }
        service.GiveCapacity(openPlaces, time.GetUtcNow().UtcDateTime);
        service.HasWaitlist = hasWaitlist;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("Someone else changed this service a moment ago. The page now shows where it stands.");
        }
    }
}
