using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// How our own service fields travel in HSDS 3.0: domain and service tier as taxonomy terms linked to the
/// service by attributes.csv, open places as an attribute whose value is the number (and, in HSDS 3.1, as
/// service_capacity). Fixed ids keep round trips stable.
/// </summary>
public static class HsdsVocabulary
{
    public const string DomainTaxonomyId = "5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000001";
    public const string TierTaxonomyId = "5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000002";
    public const string CapacityTaxonomyId = "5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000003";

    public sealed record Term(string Id, string TaxonomyId, string Code, string Name, string Description);

    public static readonly IReadOnlyList<(Domain Domain, Term Term)> Domains =
    [
        (Domain.Academic, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000101", DomainTaxonomyId, "academic", "Academic", "Learning: reading, math, attendance, school engagement.")),
        (Domain.SocialEmotionalBehavioral, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000102", DomainTaxonomyId, "social-emotional-behavioral", "Social-emotional-behavioral", "Feelings, relationships and behavior; mental health.")),
        (Domain.Health, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000103", DomainTaxonomyId, "health", "Health", "Physical health: vision, dental, nutrition, medical care.")),
        (Domain.Family, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000104", DomainTaxonomyId, "family", "Family", "The household: food, housing, parenting, income.")),
    ];

    public static readonly IReadOnlyList<(ServiceTier Tier, Term Term)> Tiers =
    [
        (ServiceTier.PreventionEnrichment, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000201", TierTaxonomyId, "prevention-enrichment", "Prevention / enrichment", "Open to every child: enrichment and prevention.")),
        (ServiceTier.EarlyIntervention, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000202", TierTaxonomyId, "early-intervention", "Early intervention", "Targeted help for a child showing a need.")),
        (ServiceTier.IntensiveCrisis, new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000203", TierTaxonomyId, "intensive-crisis", "Intensive / crisis", "Intensive or same-week help for a child in crisis.")),
    ];

    public static readonly Term OpenPlaces = new("5b1b6a3e-7c1e-4a1e-9a51-0d6f2a000301", CapacityTaxonomyId, "open-places", "Open places", "The number of places open now is the attribute's value.");

    public static readonly IReadOnlyList<(string Id, string Name, string Description)> Taxonomies =
    [
        (DomainTaxonomyId, "SuccessPlans domains", "The four domains of a child's success plan."),
        (TierTaxonomyId, "SuccessPlans service tiers", "Prevention/enrichment, early intervention, intensive/crisis."),
        (CapacityTaxonomyId, "SuccessPlans capacity", "Open places; the attribute's value is the number."),
    ];

    /// <summary>HSDS's service statuses, the only ones a service can have.</summary>
    public static readonly IReadOnlyList<string> ServiceStatuses = ["active", "inactive", "defunct", "temporarily closed"];

    /// <summary>The unit of a capacity that names none: a child's place in the service.</summary>
    public const string DefaultCapacityUnit = "places";

    public static IEnumerable<Term> AllTerms => Domains.Select(d => d.Term).Concat(Tiers.Select(t => t.Term)).Append(OpenPlaces);
}
