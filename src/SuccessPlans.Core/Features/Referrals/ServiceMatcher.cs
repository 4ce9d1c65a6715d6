using System.Globalization;
using System.Linq.Expressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Referrals;

/// <summary>
/// What the coordinator asks of the directory for one need. Each filter can be switched; the home language and
/// open places rank and label a service even when their filter is off, so no help is hidden by default.
/// </summary>
public sealed record MatchQuery
{
    /// <summary>Words searched in the service's name and description, its organization's name and its taxonomy terms.</summary>
    public string? Keyword { get; init; }
    public bool SameDomain { get; init; } = true;
    public bool FitsAge { get; init; } = true;
    public bool SpeaksHomeLanguage { get; init; }
    public bool OpenPlacesOnly { get; init; }

    public const int MaxKeywordLength = 100;
    public const int MaxWords = 5;

    /// <summary>The words searched: the keyword cut to a sensible length, at most a few distinct words.</summary>
    public IReadOnlyList<string> Words() =>
        (Keyword is { } k ? k[..Math.Min(k.Length, MaxKeywordLength)] : "")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxWords).ToList();
}

/// <summary>What the matcher knew of the child: the age range it matched on and the home language.</summary>
public sealed record ChildProfile(int? AgeFrom, int? AgeTo, bool AgeFromGrade, string? LanguageCode, string? LanguageName)
{
    public string? AgeText => AgeFrom is null ? null : AgeFrom == AgeTo ? $"{AgeFrom}" : $"{AgeFrom}–{AgeTo}";
}

/// <summary>A service found for a need, with the reasons it matched and what to beware of (full, another language...).</summary>
public sealed record ServiceMatch(int ServiceId, string Service, string Organization, int OrganizationId, string? Description, Domain? Domain, ServiceTier? Tier,
    int? MinimumAge, int? MaximumAge, IReadOnlyList<string> Languages, int? Capacity, IReadOnlyList<string> Where,
    IReadOnlyList<string> Reasons, IReadOnlyList<string> Cautions)
{
    public bool IsFull => Capacity == 0;
}

public sealed record MatchResults(IReadOnlyList<ServiceMatch> Matches, bool More, ChildProfile Child, IReadOnlyList<string> Words);

/// <summary>
/// Finds services for a need in one set-based query (plus one for the taxonomy terms of the results). Order: full
/// services last; then the need's domain, the child's age, the home language, open places before unknown capacity,
/// more places, name. Active services only.
/// </summary>
public sealed class ServiceMatcher(AppDbContext db, PlanService plans)
{
    public const int Limit = 100;
    private const string Escape = "\\";

    public async Task<MatchResults> FindAsync(Student student, PlanItem need, MatchQuery query, CancellationToken ct = default)
    {
        var child = await ProfileAsync(student, ct);
        var words = query.Words();
        // What is not known of the child is a null parameter and a filter that is off a false one, so one compiled statement
        // serves every choice. Languages are ISO 639-1 codes separated by spaces; a regional code ("pt-br") speaks the language too.
        int? ageFrom = child.AgeFrom is not null && child.AgeTo is not null ? child.AgeFrom : null, ageTo = ageFrom is null ? null : child.AgeTo;
        var (whole, regional) = child.LanguageCode is { } code ? ($"% {code} %", $"% {code}-%") : (null, null);

        List<Row> rows;
        if (words.Count == 0)
            rows = await CompiledRows.ListAsync(PlainSearch(db, need.Domain, query.SameDomain, ageFrom, ageTo, query.FitsAge, whole, regional, query.SpeaksHomeLanguage, query.OpenPlacesOnly), ct);
        else
        {
            var services = CandidatesQuery(db, need.Domain, query.SameDomain, ageFrom, ageTo, query.FitsAge, whole, regional, query.SpeaksHomeLanguage, query.OpenPlacesOnly);
            foreach (var word in words)
            {
                var p = $"%{EscapeLike(word)}%";
                services = services.Where(s => EF.Functions.Like(s.Name, p, Escape) || EF.Functions.Like(s.Description, p, Escape)
                    || EF.Functions.Like(s.Organization.Name, p, Escape) || s.Terms.Any(t => EF.Functions.Like(t.Name, p, Escape) || EF.Functions.Like(t.Code, p, Escape)));
            }
            rows = await InOrderQuery(services, need.Domain, ageFrom, ageTo, whole, regional).ToListAsync(ct);
        }

        var more = rows.Count > Limit;
        if (more) rows.RemoveAt(Limit);
        var ids = rows.Select(r => r.Id).ToList();
        // Terms only say where a keyword was found; without one there is nothing to explain.
        var terms = (words.Count == 0 ? [] : await db.ServiceTerms.Where(t => ids.Contains(t.ServiceId))
            .Select(t => new TermRow(t.ServiceId, t.Name, t.Code)).ToListAsync(ct))
            .ToLookup(t => t.ServiceId);

        var matches = rows.Select(r => Explain(r, need.Domain, child, words, terms[r.Id])).ToList();
        return new MatchResults(matches, more, child, words);
    }

    // The rules of a match, each written once as an expression: a filter when it is on, a rank always. The search as the
    // page opens (no keyword) runs them compiled, so EF does not walk and look up its LINQ tree at every view (a tenth of
    // Find a service's CPU, issue 15); a keyword search adds its words to the same candidates. The child's ages are null
    // when not known, the language patterns when the home language is not known.
    [InlinedFrom(nameof(FitsAgeOf))]
    private static bool FitsAge(Service s, int? from, int? to) => throw Inline.OnlyInExpand();
    private static readonly Expression<Func<Service, int?, int?, bool>> FitsAgeOf = (s, from, to) =>
        from == null || ((s.MinimumAge == null || s.MinimumAge <= to) && (s.MaximumAge == null || s.MaximumAge >= from));

    [InlinedFrom(nameof(SpeaksOf))]
    private static bool Speaks(Service s, string? whole, string? regional) => throw Inline.OnlyInExpand();
    private static readonly Expression<Func<Service, string?, string?, bool>> SpeaksOf = (s, whole, regional) =>
        whole != null && (EF.Functions.Like(" " + s.Languages + " ", whole) || EF.Functions.Like(" " + s.Languages + " ", regional));

    [InlinedFrom(nameof(CandidatesOf))]
    private static IQueryable<Service> Candidates(AppDbContext db, Domain domain, bool sameDomainOnly, int? from, int? to, bool fitsAgeOnly,
        string? whole, string? regional, bool speaksOnly, bool openPlacesOnly) => throw Inline.OnlyInExpand();
    private static readonly Expression<Func<AppDbContext, Domain, bool, int?, int?, bool, string?, string?, bool, bool, IQueryable<Service>>> CandidatesOf =
        (db, domain, sameDomainOnly, from, to, fitsAgeOnly, whole, regional, speaksOnly, openPlacesOnly) =>
            db.Services.Where(s => s.Status == "active"
                && (!sameDomainOnly || s.Domain == domain)
                && (!fitsAgeOnly || FitsAge(s, from, to))
                && (!speaksOnly || whole == null || Speaks(s, whole, regional))
                && (!openPlacesOnly || s.Capacity > 0));

    // Full services last; then the need's domain, the child's age, the home language (a service that gives none before
    // one that lists others), open places before unknown capacity, more places, name.
    [InlinedFrom(nameof(InOrderOf))]
    private static IQueryable<Row> InOrder(IQueryable<Service> services, Domain domain, int? from, int? to, string? whole, string? regional) => throw Inline.OnlyInExpand();
    private static readonly Expression<Func<IQueryable<Service>, Domain, int?, int?, string?, string?, IQueryable<Row>>> InOrderOf = (services, domain, from, to, whole, regional) =>
        services.OrderBy(s => s.Capacity == 0 ? 1 : 0)
            .ThenBy(s => s.Domain == domain ? 0 : 1)
            .ThenBy(s => FitsAge(s, from, to) ? 0 : 1)
            .ThenBy(s => whole == null || Speaks(s, whole, regional) ? 0 : 1)
            .ThenBy(s => whole == null || s.Languages == null ? 0 : 1)
            .ThenBy(s => s.Capacity > 0 ? 0 : 1)
            .ThenByDescending(s => s.Capacity)
            .ThenBy(s => s.Name).ThenBy(s => s.Id)
            .Take(Limit + 1)
            .Select(s => new Row(s.Id, s.Name, s.Organization.Name, s.OrganizationId, s.Description, s.Domain, s.Tier, s.MinimumAge, s.MaximumAge, s.Languages, s.Capacity, s.HasWaitlist,
                s.Locations.Select(l => l.Location.Name + (l.Location.City == null ? "" : ", " + l.Location.City)).ToList()));

    private static readonly Func<AppDbContext, Domain, bool, int?, int?, bool, string?, string?, bool, bool, IQueryable<Service>> CandidatesQuery = Inline.Expand(CandidatesOf).Compile();
    private static readonly Func<IQueryable<Service>, Domain, int?, int?, string?, string?, IQueryable<Row>> InOrderQuery = Inline.Expand(InOrderOf).Compile();
    private static readonly Expression<Func<AppDbContext, Domain, bool, int?, int?, bool, string?, string?, bool, bool, IQueryable<Row>>> PlainSearchOf =
        Inline.Expand<Func<AppDbContext, Domain, bool, int?, int?, bool, string?, string?, bool, bool, IQueryable<Row>>>(
            (db, domain, sameDomainOnly, from, to, fitsAgeOnly, whole, regional, speaksOnly, openPlacesOnly) =>
                InOrder(Candidates(db, domain, sameDomainOnly, from, to, fitsAgeOnly, whole, regional, speaksOnly, openPlacesOnly), domain, from, to, whole, regional));
    private static readonly Func<AppDbContext, Domain, bool, int?, int?, bool, string?, string?, bool, bool, IAsyncEnumerable<Row>> PlainSearch = EF.CompileAsyncQuery(PlainSearchOf);

    /// <summary>The search without a keyword (every filter on, a child of 7 who speaks Portuguese), as SQL Server's translation test reads it.</summary>
    public static IQueryable<object> PlainSearchQuery(AppDbContext db) => PlainSearchOf.Compile()(db, Domain.Academic, true, 7, 7, true, "% pt %", "% pt-%", true, true);

    private static string EscapeLike(string word) =>
        word.Replace(Escape, Escape + Escape).Replace("%", Escape + "%").Replace("_", Escape + "_").Replace("[", Escape + "[");

    private sealed record Row(int Id, string Name, string Organization, int OrganizationId, string? Description, Domain? Domain, ServiceTier? Tier,
        int? MinimumAge, int? MaximumAge, string? Languages, int? Capacity, bool HasWaitlist, List<string> Where);

    private sealed record TermRow(int ServiceId, string Name, string? Code);

    private static ServiceMatch Explain(Row r, Domain needDomain, ChildProfile child, IReadOnlyList<string> words, IEnumerable<TermRow> terms)
    {
        var reasons = new List<string>();
        var cautions = new List<string>();

        if (r.Domain == needDomain) reasons.Add(Labels.T("same domain"));
        else cautions.Add(r.Domain is { } d ? F(Labels.T("another domain: {0}"), Labels.Words(d)) : Labels.T("no domain given"));

        var ages = AgesText(r.MinimumAge, r.MaximumAge);
        if (child.AgeFrom is { } from && child.AgeTo is { } to)
        {
            if ((r.MinimumAge is null || r.MinimumAge <= to) && (r.MaximumAge is null || r.MaximumAge >= from))
                reasons.Add(ages is null ? Labels.T("no age limits") : F(Labels.T("{0} fit"), ages));
            else
                cautions.Add(F(Labels.T("{0}: not for age {1}"), ages, child.AgeText));
        }
        else if (ages is not null)
            cautions.Add(F(Labels.T("{0} (the child's age is not known)"), ages));

        // The names in the reader's language (the API's requests read English).
        var languages = LanguageNames.Codes(r.Languages).Select(Labels.Language).Distinct().ToList();
        if (child.LanguageCode is { } code)
        {
            if (LanguageNames.Codes(r.Languages).Any(c => c == code || c.StartsWith(code + "-", StringComparison.Ordinal)))
                reasons.Add(F(Labels.T("speaks {0}"), Labels.Language(code)));
            else
                cautions.Add(r.Languages is null ? Labels.T("languages not given") : F(Labels.T("no {0} listed"), Labels.Language(code)));
        }

        foreach (var word in words)
        {
            var places = new List<string>();
            if (Has(r.Name, word)) places.Add(Labels.T("name"));
            if (Has(r.Description, word)) places.Add(Labels.T("description"));
            if (Has(r.Organization, word)) places.Add(Labels.T("organization name"));
            places.AddRange(terms.Where(t => Has(t.Name, word) || Has(t.Code, word)).Select(t => F(Labels.T("taxonomy term '{0}'"), t.Name)).Distinct());
            reasons.Add(places.Count == 0 ? F(Labels.T("keyword '{0}'"), word) : F(Labels.T("keyword '{0}' in {1}"), word, JoinAnd(places)));
        }

        switch (r.Capacity)
        {
            case > 0: reasons.Add(r.Capacity == 1 ? Labels.T("1 open place") : F(Labels.T("{0} open places"), r.Capacity)); break;
            case 0: cautions.Add(r.HasWaitlist ? Labels.T("full: no open places; takes referrals onto its waitlist") : Labels.T("full: no open places")); break;
            default: cautions.Add(Labels.T("open places not given")); break;
        }

        return new ServiceMatch(r.Id, r.Name, r.Organization, r.OrganizationId, r.Description, r.Domain, r.Tier, r.MinimumAge, r.MaximumAge,
            languages, r.Capacity, r.Where, reasons, cautions);
    }

    private static bool Has(string? field, string word) => field?.Contains(word, StringComparison.OrdinalIgnoreCase) == true;

    private static string JoinAnd(List<string> parts) =>
        parts.Count == 1 ? parts[0] : F(Labels.T("{0} and {1}"), string.Join(", ", parts[..^1]), parts[^1]);

    /// <summary>A reason's translated format filled in (reasons are worked out for the reader, in the reader's language).</summary>
    private static string F(string format, params object?[] args) => string.Format(CultureInfo.CurrentCulture, format, args);

    public static string? AgesText(int? min, int? max) => (min, max) switch
    {
        (null, null) => null,
        ({ } a, { } b) => F(Labels.T("ages {0}–{1}"), a, b),
        ({ } a, null) => F(Labels.T("ages {0} and up"), a),
        (null, { } b) => F(Labels.T("ages up to {0}"), b),
    };

    /// <summary>The child's age today (tenant's calendar) from the birth date, or else about that of the grade.</summary>
    private async Task<ChildProfile> ProfileAsync(Student student, CancellationToken ct)
    {
        var code = LanguageNames.Normalize(student.HomeLanguage);
        var name = code is null ? null : LanguageNames.Name(code);
        if (student.BirthDate is { } b)
        {
            var today = await plans.TodayAsync(ct);
            var age = today.Year - b.Year - (today < b.AddYears(today.Year - b.Year) ? 1 : 0);
            return new ChildProfile(age, age, false, code, name);
        }
        // A grade's children are about five to six years older than the grade number (kindergarten: 5-6).
        var grade = student.Grade?.Trim().ToUpperInvariant() switch
        {
            "PK" or "PR" or "TK" => -1,
            "KG" or "K" or "00" or "0" => 0,
            { } g when int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 13 => n,
            _ => (int?)null,
        };
        return grade is { } gr ? new ChildProfile(gr + 5, gr + 6, true, code, name) : new ChildProfile(null, null, false, code, name);
    }
}

/// <summary>ISO 639-1 codes as English names ("pt" -> "Portuguese"), so families' languages read as words.</summary>
public static class LanguageNames
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["am"] = "Amharic", ["ar"] = "Arabic", ["bn"] = "Bengali", ["de"] = "German", ["el"] = "Greek", ["en"] = "English",
        ["es"] = "Spanish", ["fa"] = "Persian", ["fr"] = "French", ["gu"] = "Gujarati", ["he"] = "Hebrew", ["hi"] = "Hindi",
        ["hmn"] = "Hmong", ["ht"] = "Haitian Creole", ["hy"] = "Armenian", ["it"] = "Italian", ["ja"] = "Japanese", ["km"] = "Khmer",
        ["ko"] = "Korean", ["lo"] = "Lao", ["ne"] = "Nepali", ["pa"] = "Punjabi", ["pl"] = "Polish", ["ps"] = "Pashto",
        ["pt"] = "Portuguese", ["ro"] = "Romanian", ["ru"] = "Russian", ["so"] = "Somali", ["sw"] = "Swahili", ["ta"] = "Tamil",
        ["te"] = "Telugu", ["th"] = "Thai", ["ti"] = "Tigrinya", ["tl"] = "Tagalog", ["tr"] = "Turkish", ["uk"] = "Ukrainian",
        ["ur"] = "Urdu", ["vi"] = "Vietnamese", ["yo"] = "Yoruba", ["zh"] = "Chinese", ["asl"] = "American Sign Language",
    };

    private static readonly Dictionary<string, string> CodesByName =
        Names.GroupBy(n => n.Value, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>A language code as the directory stores it (lower case, "pt" or "pt-br"), from a code or an English name; null when neither.</summary>
    public static string? Normalize(string? language)
    {
        if (string.IsNullOrWhiteSpace(language)) return null;
        var value = language.Trim();
        if (CodesByName.TryGetValue(value, out var byName)) return byName;
        var primary = value.Split('-', '_')[0].ToLowerInvariant();
        return primary.Length is >= 2 and <= 3 && primary.All(char.IsAsciiLetterLower) ? primary : null;
    }

    /// <summary>The table's English names (Labels translates them).</summary>
    public static IEnumerable<string> EnglishNames => Names.Values;

    /// <summary>The English name of a code, from the table, else from the runtime's cultures, else the code itself.</summary>
    public static string Name(string code)
    {
        var primary = code.Split('-', '_')[0];
        if (Names.TryGetValue(primary, out var name)) return name;
        try
        {
            var culture = CultureInfo.GetCultureInfo(primary);
            return culture.ThreeLetterISOLanguageName is "ivl" || string.IsNullOrEmpty(culture.EnglishName) || culture.EnglishName.StartsWith("Unknown", StringComparison.Ordinal)
                ? code : culture.EnglishName;
        }
        catch (CultureNotFoundException) { return code; }
    }

    public static IReadOnlyList<string> Codes(string? languages) =>
        languages?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToLowerInvariant()).ToList() ?? [];

    public static IReadOnlyList<string> Split(string? languages) => Codes(languages).Select(Name).Distinct().ToList();
}
