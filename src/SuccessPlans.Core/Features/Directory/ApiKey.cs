using System.Security.Cryptography;
using System.Text;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// A provider organization's key for its own systems. The secret is shown once and stored only as a
/// SHA-256 hash (it is 256 random bits, so a fast hash is enough); a revoked key stops working at once.
/// </summary>
public class ApiKey : TenantEntity
{
    public int OrganizationId { get; set; }
    public ProviderOrganization Organization { get; set; } = null!;
    public required string Name { get; set; }

    /// <summary>Public part of the key, used to find it: "sp_{tenant}_{prefix}_{secret}".</summary>
    public required string Prefix { get; set; }
    public required string SecretHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    /// <summary>Makes a new key; returns the entity and the full key to show once.</summary>
    public static (ApiKey Key, string Secret) Create(int tenantId, int organizationId, string name, string createdBy, DateTime now)
    {
        var prefix = Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey { OrganizationId = organizationId, Name = name, Prefix = prefix, SecretHash = Hash(secret), CreatedAt = now, CreatedByName = createdBy };
        return (key, $"sp_{tenantId}_{prefix}_{secret}");
    }

    /// <summary>Splits "sp_{tenant}_{prefix}_{secret}"; false for anything else.</summary>
    public static bool TryParse(string? presented, out int tenantId, out string prefix, out string secret)
    {
        (tenantId, prefix, secret) = (0, "", "");
        var parts = presented?.Split('_', 4);
        if (parts is not ["sp", var t, var p, var s] || !int.TryParse(t, out tenantId) || p.Length != 12 || s.Length < 40)
            return false;
        (prefix, secret) = (p, s);
        return true;
    }

    public bool Matches(string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(SecretHash));

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(k => k.Name).HasMaxLength(100);
        b.Property(k => k.Prefix).HasMaxLength(12);
        b.Property(k => k.SecretHash).HasMaxLength(64);
        b.Property(k => k.CreatedByName).HasMaxLength(200);
        b.HasOne(k => k.Organization).WithMany().HasForeignKey(k => k.OrganizationId);
        b.HasIndex(k => new { k.TenantId, k.Prefix }).IsUnique();
        b.HasIndex(k => new { k.TenantId, k.OrganizationId });
    }
}
