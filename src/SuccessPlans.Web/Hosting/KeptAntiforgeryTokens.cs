using Microsoft.AspNetCore.DataProtection;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Antiforgery's tokens as read before, kept for a short while: the same protected bytes, read again within
/// <see cref="KeepFor"/>, give a copy of what they gave before instead of being decrypted and checked again.
/// </summary>
/// <remarks>
/// Why (issue 15): every signed-in page has a form (the layout's sign-out), so every view reads the browser's antiforgery
/// cookie to write the form's token, and the cookie, the same one for the whole session, was decrypted each time (Data
/// Protection's AES and HMAC, some 1.4% of the student page's samples in a profile). As <see cref="KeptTicketFormat"/>
/// does for the session cookie: only bytes the real protector accepted are kept, under the whole of them, so nothing is
/// believed that was not checked once; forged or garbled tokens go through the real protector every time. Writing a token
/// (Protect) is never kept: each form token still has its own random bytes. A Data Protection key revoked by hand is
/// believed for at most <see cref="KeepFor"/> more.
/// </remarks>
public sealed class KeptAntiforgeryTokens(IDataProtector inner, TimeProvider time, int capacity = KeptAntiforgeryTokens.Capacity) : IDataProtector
{
    /// <summary>Antiforgery's purpose string (Microsoft.AspNetCore.Antiforgery's token serializer asks for this protector).</summary>
    public const string Purpose = "Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1";

    /// <summary>How long a read token is kept.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(1);

    /// <summary>Tokens kept at most (some 200 bytes each); past it all are dropped at once.</summary>
    public const int Capacity = 4096;

    private readonly KeptReads<byte[]> _kept = new(time, KeepFor, capacity);

    /// <summary>Tokens kept now (tests).</summary>
    public int Count => _kept.Count;

    public IDataProtector CreateProtector(string purpose) => inner.CreateProtector(purpose);

    public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

    public byte[] Unprotect(byte[] protectedData)
    {
        var key = Convert.ToBase64String(protectedData);
        // A copy for each reader: the serializer reads the array it is given, and nothing it does may reach the kept one.
        if (_kept.TryGet(key, out var kept)) return (byte[])kept.Clone();

        // Throws for anything the real protector refuses: nothing is kept then.
        var plaintext = inner.Unprotect(protectedData);
        _kept.Store(key, (byte[])plaintext.Clone());
        return plaintext;
    }

    /// <summary>The app's Data Protection, with antiforgery's protector wrapped; every other purpose is the real one.</summary>
    private sealed class Provider(IDataProtectionProvider inner, TimeProvider time) : IDataProtectionProvider
    {
        private readonly Lazy<KeptAntiforgeryTokens> _antiforgery = new(() => new KeptAntiforgeryTokens(inner.CreateProtector(Purpose), time));

        public IDataProtector CreateProtector(string purpose) => purpose == Purpose ? _antiforgery.Value : inner.CreateProtector(purpose);
    }

    /// <summary>Wraps the Data Protection provider registered so far (after AddDataProtection and AddAntiforgery).</summary>
    internal static void Install(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IDataProtectionProvider))
            ?? throw new InvalidOperationException("Data Protection must be added before antiforgery's kept tokens.");
        services.Remove(registered);
        services.AddSingleton<IDataProtectionProvider>(sp => new Provider(
            registered.ImplementationInstance as IDataProtectionProvider
                ?? registered.ImplementationFactory?.Invoke(sp) as IDataProtectionProvider
                ?? (IDataProtectionProvider)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
            sp.GetRequiredService<TimeProvider>()));
    }
}
