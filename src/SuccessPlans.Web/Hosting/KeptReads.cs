using System.Collections.Concurrent;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// What a real reader accepted (a decrypted cookie), kept under the whole of its input for a while, so the same input
/// sent again is not decrypted and checked again: <see cref="KeptTicketFormat"/> and <see cref="KeptAntiforgeryTokens"/>.
/// Only what the caller stores is kept; bounded by dropping everything at once past its capacity (issue 15).
/// </summary>
internal sealed class KeptReads<T>(TimeProvider time, TimeSpan keepFor, int capacity) where T : class
{
    private readonly ConcurrentDictionary<string, Kept> _kept = new(StringComparer.Ordinal);

    public int Count => _kept.Count;

    /// <summary>The value kept under <paramref name="input"/>, if it is younger than the keeping time.</summary>
    public bool TryGet(string input, out T value)
    {
        if (_kept.TryGetValue(input, out var kept) && kept.Until > time.GetUtcNow())
        {
            value = kept.Value;
            return true;
        }
        value = null!;
        return false;
    }

    public void Store(string input, T value)
    {
        if (_kept.Count >= capacity) _kept.Clear();
        _kept[input] = new Kept(value, time.GetUtcNow() + keepFor);
    }

    private sealed record Kept(T Value, DateTimeOffset Until);
}
