using Microsoft.Extensions.Caching.Memory;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// Per-process cache of the cabinet's figures (issue 15: the dashboard as a lookup). They are the same for every
/// reader of a tenant for a period, so each is computed once per version of the tenant's rollups: the key holds the
/// version (<see cref="CabinetReport.DataVersion"/>), read from the database with the tenant's settings at every
/// dashboard, so a write in this process or in another one on the same database shows at the very next request
/// (the user scope cache, <c>UserSchoolsStore</c>, keys its entries by a generation in the same way, but keeps
/// its generations in the process). An entry of an older version is never read again and leaves by size or age.
/// </summary>
public sealed class CabinetFiguresCache : IDisposable
{
    /// <summary>How many sets of figures the process keeps: some periods of a few tenants, a few kilobytes each.</summary>
    public const int Capacity = 512;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    /// <summary>What the figures depend on: the tenant, its rollups' version, the period, the threshold (the children counts stop at it) and the zone (the funnel's months).</summary>
    internal sealed record Key(int TenantId, CabinetReport.DataVersion Version, DateOnly From, DateOnly To, int Threshold, string TimeZoneId);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    /// <summary>
    /// What the outcomes depend on (a sibling key in the same cache): the tenant, the delivery rollup's version (the
    /// report's), the version of attendance, school days and the students' schools (<c>Tenant.OutcomesVersion</c>), the
    /// period, the end of the second window (today when the period has not ended: a new day is a new key) and the bands.
    /// </summary>
    internal sealed record OutcomesKey(int TenantId, long? ChangeMax, int Changes, long OutcomesVersion, DateOnly From, DateOnly To, DateOnly AfterTo,
        int Satisfactory, int AtRisk, int Chronic);

    /// <summary>
    /// The served children behind a period's outcomes, each with its change of band (some megabytes at a city's size): per
    /// version of attendance, calendars and schools, period, second window and bands, but not of the deliveries, which the
    /// entry itself says how far it has seen (<see cref="CabinetOutcomes.Served"/>).
    /// </summary>
    internal sealed record ServedKey(int TenantId, long OutcomesVersion, DateOnly From, DateOnly To, DateOnly AfterTo, int Satisfactory, int AtRisk, int Chronic);

    internal CabinetOutcomes.Served? Get(ServedKey key) => _cache.TryGetValue(key, out CabinetOutcomes.Served? served) ? served : null;

    internal void Store(ServedKey key, CabinetOutcomes.Served served) =>
        _cache.Set(key, served, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Lifetime });

    internal CabinetOutcomes.Tallies? Get(OutcomesKey key) => _cache.TryGetValue(key, out CabinetOutcomes.Tallies? tallies) ? tallies : null;

    internal void Store(OutcomesKey key, CabinetOutcomes.Tallies tallies) =>
        _cache.Set(key, tallies, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Lifetime });

    /// <summary>The outcomes' attendance side (every student's, some megabytes at a city's size): per version of attendance, calendars and schools, not of the deliveries.</summary>
    internal sealed record AttendanceKey(int TenantId, long OutcomesVersion, DateOnly From, DateOnly To);

    internal CabinetOutcomes.Attendance? Get(AttendanceKey key) => _cache.TryGetValue(key, out CabinetOutcomes.Attendance? attendance) ? attendance : null;

    internal void Store(AttendanceKey key, CabinetOutcomes.Attendance attendance) =>
        _cache.Set(key, attendance, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Lifetime });

    internal CabinetReport.Figures? Get(Key key) => _cache.TryGetValue(key, out CabinetReport.Figures? figures) ? figures : null;

    internal void Store(Key key, CabinetReport.Figures figures) =>
        _cache.Set(key, figures, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Lifetime });

    /// <summary>How many sets of figures (report or outcomes) are kept now (tests).</summary>
    public int Count => _cache.Count;

    public void Dispose() => _cache.Dispose();
}
