using Microsoft.Extensions.Time.Testing;
using SuccessPlans.Data;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// <see cref="TenantReadCache"/>'s ages, on the app's clock: an entry is given to every caller until
/// <see cref="TenantReadCache.RefreshAfter"/>, then to all but one, which reads it afresh, until
/// <see cref="TenantReadCache.Lifetime"/>; a write's new generation is never given the old entry.
/// </summary>
public class TenantReadCacheTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly TenantReadCache _cache;

    public TenantReadCacheTests() => _cache = new TenantReadCache(_time);

    public void Dispose() => _cache.Dispose();

    private sealed record Key(TenantReadCache.Stamp Stamp, string What);

    private bool Kept(object key, out int[] value) => _cache.TryGet(key, out value);

    [Fact]
    public void One_caller_reads_an_aging_entry_afresh_while_the_others_are_still_given_it()
    {
        var key = new Key(_cache.StampOf(1), "follow-ups");
        _cache.Store(key, new[] { 1, 2, 3 });

        _time.Advance(TenantReadCache.RefreshAfter - TimeSpan.FromMilliseconds(1));
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(Kept(key, out _)));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(Kept(key, out _));
        // The others at work meanwhile: the kept list, not a read of their own each.
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(Kept(key, out var v) && v.SequenceEqual([1, 2, 3])));

        // The one that read stores the new list: everyone is given it, for a new RefreshAfter.
        _cache.Store(key, new[] { 4 });
        Assert.True(Kept(key, out var fresh));
        Assert.Equal([4], fresh);
        _time.Advance(TenantReadCache.RefreshAfter - TimeSpan.FromMilliseconds(1));
        Assert.True(Kept(key, out _));
        Assert.True(Kept(key, out _));
    }

    [Fact]
    public void An_entry_nobody_read_afresh_is_given_to_no_one_past_its_lifetime()
    {
        var key = new Key(_cache.StampOf(1), "flags");
        _cache.Store(key, new[] { 1 });
        _time.Advance(TenantReadCache.RefreshAfter);
        Assert.False(Kept(key, out _));
        Assert.True(Kept(key, out _));

        _time.Advance(TenantReadCache.Lifetime - TenantReadCache.RefreshAfter);
        Assert.False(Kept(key, out _));
        Assert.False(Kept(key, out _));
    }

    [Fact]
    public void A_write_is_seen_by_every_caller_at_once_whatever_the_entry_s_age()
    {
        var before = new Key(_cache.StampOf(1), "counts");
        var otherTenant = new Key(_cache.StampOf(2), "counts");
        _cache.Store(before, new[] { 10 });
        _cache.Store(otherTenant, new[] { 20 });

        _cache.Evict(1);
        var after = new Key(_cache.StampOf(1), "counts");
        Assert.NotEqual(before, after);
        Assert.False(Kept(after, out _));
        Assert.False(Kept(after, out _));
        // Another tenant's entry stands.
        Assert.True(Kept(otherTenant, out var other));
        Assert.Equal([20], other);
    }

    [Fact]
    public void A_count_is_kept_as_a_list_is()
    {
        var key = new Key(_cache.StampOf(1), "unread");
        _cache.Store(key, 7);
        Assert.True(_cache.TryGet<int>(key, out var count));
        Assert.Equal(7, count);
        Assert.False(_cache.TryGet<string>(key, out _));
    }
}
