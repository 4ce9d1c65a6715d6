using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// HSDS 3 ids are UUIDs (RFC 4122). Ids a package brings are kept as they are; a row whose id is not a UUID (HSDS 1.x
/// ids often are not), and rows that exist only in the file (an address, a link, an attribute), get a name-based UUID
/// (version 5) of their own key. The key holds no tenant and no database number, so the same row always gets the same id.
/// </summary>
public static partial class HsdsIds
{
    /// <summary>The namespace of our name-based ids (itself a random version 4 UUID, fixed forever).</summary>
    private static readonly Guid Namespace = new("3f6c2b1e-8d4a-4c7e-9b15-6a0e2d9f4c83");

    /// <summary>A UUID of RFC 4122 (and 9562): version 1 to 8, variant 10xx.</summary>
    public static bool IsUuid(string? id) => id is not null && UuidPattern().IsMatch(id);

    /// <summary>The id a row of <paramref name="kind"/> is exported under (and matched by on import).</summary>
    public static string Of(string kind, string id) => IsUuid(id) ? id.ToLowerInvariant() : Derive(kind, id.ToLowerInvariant());

    /// <summary>A version 5 UUID of the key's parts.</summary>
    public static string Derive(params string[] key)
    {
        Span<byte> name = stackalloc byte[16];
        Namespace.TryWriteBytes(name, bigEndian: true, out _);
        var bytes = SHA1.HashData([.. name, .. Encoding.UTF8.GetBytes(string.Join('\u001f', key))]);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true).ToString();
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidPattern();
}
