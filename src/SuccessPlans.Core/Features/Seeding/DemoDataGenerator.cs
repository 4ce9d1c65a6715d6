using System.Globalization;
using System.Text;
using Bogus;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Seeding;

public sealed record GeneratedCommunity(int Schools, int Students, int Organizations, int Services);

/// <summary>
/// Writes a made-up community in the standards' formats: OneRoster 1.1 CSV (oneroster/) and HSDS 3.0 CSV
/// (hsds/). Deterministic: the same seed and size always give the same files, byte for byte.
/// </summary>
public static class DemoDataGenerator
{
    /// <summary>Fixed, so output does not depend on the day it runs.</summary>
    private static readonly DateOnly SchoolYearStart = new(2026, 9, 1);
    private const string LastModified = "2026-08-15T00:00:00.000Z";
    private const int StudentsPerSchool = 450;

    private static readonly string[] Grades = ["PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08"];
    private static readonly string[] SchoolKinds = ["Elementary School", "Community School", "K-8 School", "Academy"];
    private static readonly (string Language, double Weight)[] Languages =
        [("en", 0.62), ("es", 0.24), ("pt", 0.05), ("ht", 0.04), ("vi", 0.03), ("ar", 0.02)];
    private static readonly (string Name, string Description, string Eligibility, Domain Domain, ServiceTier Tier)[] ServiceTemplates =
    [
        ("After-school tutoring", "Small-group reading and math tutoring twice a week.", "Students in grades K-8", Domain.Academic, ServiceTier.EarlyIntervention),
        ("School-based counseling", "Weekly sessions with a licensed counselor at school.", "Students referred by a school coordinator", Domain.SocialEmotionalBehavioral, ServiceTier.EarlyIntervention),
        ("Vision screening and glasses", "Eye exams and free glasses delivered to school.", "Children 3-14 without vision coverage", Domain.Health, ServiceTier.PreventionEnrichment),
        ("Dental van visits", "Cleanings, sealants and fillings on the school's grounds.", "Children 3-14", Domain.Health, ServiceTier.PreventionEnrichment),
        ("Family food pantry", "Weekly groceries for the household, with delivery on request.", "Families of enrolled students", Domain.Family, ServiceTier.EarlyIntervention),
        ("Summer enrichment camp", "Six weeks of arts, science and swimming.", "Ages 5-14", Domain.Academic, ServiceTier.PreventionEnrichment),
        ("Mentoring program", "A trained adult mentor meets the child weekly for a school year.", "Ages 8-14", Domain.SocialEmotionalBehavioral, ServiceTier.PreventionEnrichment),
        ("Parent coaching", "Home visits and workshops for parents of young children.", "Families with children under 9", Domain.Family, ServiceTier.EarlyIntervention),
        ("Housing stabilization", "Case management and emergency rental help.", "Families at risk of losing housing", Domain.Family, ServiceTier.IntensiveCrisis),
        ("Youth sports league", "Free seasonal soccer and basketball with equipment.", "Ages 5-14", Domain.Health, ServiceTier.PreventionEnrichment),
        ("Speech and language therapy", "Assessment and weekly therapy sessions.", "Ages 3-10", Domain.Academic, ServiceTier.IntensiveCrisis),
        ("Crisis counseling", "Same-week clinical counseling for children in crisis.", "Children in acute distress", Domain.SocialEmotionalBehavioral, ServiceTier.IntensiveCrisis),
    ];
    private static readonly string[] OrgSuffixes =
        ["Youth Services", "Family Center", "Health Partners", "Community Collaborative", "Learning Network", "Boys & Girls Club", "Wellness Alliance"];

    public static GeneratedCommunity Write(string outputDirectory, int students, int seed)
    {
        if (students < 1) throw new ArgumentOutOfRangeException(nameof(students), "At least one student.");
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var rosterDir = Path.Combine(outputDirectory, "oneroster");
        var hsdsDir = Path.Combine(outputDirectory, "hsds");
        System.IO.Directory.CreateDirectory(rosterDir);
        System.IO.Directory.CreateDirectory(hsdsDir);

        var schoolCount = Math.Max(2, (students + StudentsPerSchool - 1) / StudentsPerSchool);
        var schoolIds = WriteOrgs(rosterDir, faker, schoolCount);
        WriteUsersAndDemographics(rosterDir, faker, schoolIds, students);
        WriteAcademicSessions(rosterDir);
        WriteManifest(rosterDir);
        var (orgs, services) = WriteDirectory(hsdsDir, faker, Math.Clamp(students / 60, 6, 2000));
        return new GeneratedCommunity(schoolCount, students, orgs, services);
    }

    private static List<string> WriteOrgs(string dir, Faker f, int schools)
    {
        using var w = Writer(Path.Combine(dir, "orgs.csv"));
        var csv = new CsvWriter(w);
        csv.WriteRow("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId");
        csv.WriteRow("district-1", "active", LastModified, "Demo City Public Schools", "district", "DCPS", "");
        var ids = new List<string>();
        var used = new HashSet<string>();
        for (var i = 1; i <= schools; i++)
        {
            string name;
            do name = $"{f.Name.LastName()} {f.PickRandom(SchoolKinds)}"; while (!used.Add(name));
            var id = $"school-{i:D4}";
            ids.Add(id);
            csv.WriteRow(id, "active", LastModified, name, "school", $"S{i:D4}", "district-1");
        }
        return ids;
    }

    private static void WriteUsersAndDemographics(string dir, Faker f, List<string> schoolIds, int students)
    {
        using var users = Writer(Path.Combine(dir, "users.csv"));
        using var demo = Writer(Path.Combine(dir, "demographics.csv"));
        var u = new CsvWriter(users);
        var d = new CsvWriter(demo);
        u.WriteRow("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
            "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "metadata.homeLanguage");
        d.WriteRow("sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
            "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus");

        var classMembers = new SortedDictionary<(string School, string Grade), List<string>>();
        var languages = Languages.Select(l => l.Language).ToArray();
        var weights = Languages.Select(l => (float)l.Weight).ToArray();
        for (var i = 1; i <= students; i++)
        {
            var school = schoolIds[(i - 1) * schoolIds.Count / students];
            var gradeIndex = f.Random.Int(0, Grades.Length - 1);
            var grade = Grades[gradeIndex];
            var sex = f.PickRandom<Bogus.DataSets.Name.Gender>();
            var given = f.Name.FirstName(sex);
            var family = f.Name.LastName();
            var id = $"stu-{i:D6}";
            var guardianId = $"gdn-{i:D6}";
            var language = f.Random.WeightedRandom(languages, weights);
            var age = gradeIndex + 4; // PK is four on 1 September
            var birth = SchoolYearStart.AddYears(-age).AddDays(-f.Random.Int(0, 364));

            u.WriteRow(id, "active", LastModified, "true", school, "student", $"{given}.{family}{i}".ToLowerInvariant(), "",
                given, family, "", $"{100000 + i}", "", "", "", guardianId, grade, "", language);
            var guardianGiven = f.Name.FirstName();
            u.WriteRow(guardianId, "active", LastModified, "false", school, "guardian", "", "",
                guardianGiven, family, "", "", $"{guardianGiven}.{family}{i}@example.net".ToLowerInvariant(), "",
                f.Phone.PhoneNumber("(###) ###-####"), id, "", "", language);
            d.WriteRow(id, "active", LastModified, birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                sex == Bogus.DataSets.Name.Gender.Female ? "female" : "male", "", "", "", "", "", "", "", "", "", "", "");
            if (!classMembers.TryGetValue((school, grade), out var members))
                classMembers[(school, grade)] = members = [];
            members.Add(id);
        }
        WriteClasses(dir, f, u, classMembers);
    }

    /// <summary>Classes of at most 25 per school and grade, each with a teacher (users.csv) and enrollments.</summary>
    private static void WriteClasses(string dir, Faker f, CsvWriter users, SortedDictionary<(string School, string Grade), List<string>> members)
    {
        using var classesWriter = Writer(Path.Combine(dir, "classes.csv"));
        using var enrollmentsWriter = Writer(Path.Combine(dir, "enrollments.csv"));
        var classes = new CsvWriter(classesWriter);
        var enrollments = new CsvWriter(enrollmentsWriter);
        classes.WriteRow("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
            "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods");
        enrollments.WriteRow("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate");
        var classNumber = 0;
        var enrollmentNumber = 0;
        foreach (var ((school, grade), students) in members)
        {
            var count = (students.Count + 24) / 25;
            for (var c = 0; c < count; c++)
            {
                classNumber++;
                var classId = $"class-{classNumber:D5}";
                var teacherId = $"tch-{classNumber:D5}";
                var (given, family) = (f.Name.FirstName(), f.Name.LastName());
                users.WriteRow(teacherId, "active", LastModified, "true", school, "teacher", $"{given}.{family}.t{classNumber}".ToLowerInvariant(), "",
                    given, family, "", "", $"{given}.{family}.t{classNumber}@demo-schools.example".ToLowerInvariant(), "", "", "", grade, "", "");
                classes.WriteRow(classId, "active", LastModified, $"Grade {grade} · {family}", grade, "", $"{grade}-{c + 1}", "homeroom", "",
                    school, "term-fall-2026", "", "", "");
                enrollments.WriteRow($"enr-{++enrollmentNumber:D7}", "active", LastModified, classId, school, teacherId, "teacher", "true", "2026-09-01", "2027-06-30");
                foreach (var student in students.Skip(c * students.Count / count).Take((c + 1) * students.Count / count - c * students.Count / count))
                    enrollments.WriteRow($"enr-{++enrollmentNumber:D7}", "active", LastModified, classId, school, student, "student", "false", "2026-09-01", "2027-06-30");
            }
        }
    }

    private static void WriteAcademicSessions(string dir)
    {
        using var w = Writer(Path.Combine(dir, "academicSessions.csv"));
        var csv = new CsvWriter(w);
        csv.WriteRow("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear");
        csv.WriteRow("sy-2026", "active", LastModified, "2026-2027", "schoolYear", "2026-09-01", "2027-06-30", "", "2027");
        csv.WriteRow("term-fall-2026", "active", LastModified, "Fall 2026", "term", "2026-09-01", "2027-01-31", "sy-2026", "2027");
        csv.WriteRow("term-spring-2027", "active", LastModified, "Spring 2027", "term", "2027-02-01", "2027-06-30", "sy-2026", "2027");
    }

    private static void WriteManifest(string dir)
    {
        using var w = Writer(Path.Combine(dir, "manifest.csv"));
        var csv = new CsvWriter(w);
        csv.WriteRow("propertyName", "value");
        foreach (var (name, value) in new[]
                 {
                     ("manifest.version", "1.0"), ("oneroster.version", "1.1"),
                     ("file.academicSessions", "bulk"), ("file.categories", "absent"), ("file.classes", "bulk"),
                     ("file.classResources", "absent"), ("file.courses", "absent"), ("file.courseResources", "absent"),
                     ("file.demographics", "bulk"), ("file.enrollments", "bulk"), ("file.lineItems", "absent"),
                     ("file.orgs", "bulk"), ("file.resources", "absent"), ("file.results", "absent"), ("file.users", "bulk"),
                     ("source.systemName", "SuccessPlans demo generator"), ("source.systemCode", "successplans"),
                 })
            csv.WriteRow(name, value);
    }

    private static (int Orgs, int Services) WriteDirectory(string dir, Faker f, int orgCount)
    {
        using var orgsWriter = Writer(Path.Combine(dir, "organizations.csv"));
        using var servicesWriter = Writer(Path.Combine(dir, "services.csv"));
        using var languagesWriter = Writer(Path.Combine(dir, "languages.csv"));
        using var attributesWriter = Writer(Path.Combine(dir, "attributes.csv"));
        using var locationsWriter = Writer(Path.Combine(dir, "locations.csv"));
        using var addressesWriter = Writer(Path.Combine(dir, "addresses.csv"));
        using var linksWriter = Writer(Path.Combine(dir, "service_at_location.csv"));
        var locations = new CsvWriter(locationsWriter);
        var addresses = new CsvWriter(addressesWriter);
        var links = new CsvWriter(linksWriter);
        locations.WriteRow("id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type");
        addresses.WriteRow("id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type");
        links.WriteRow("id", "service_id", "location_id", "description");
        var orgs = new CsvWriter(orgsWriter);
        var services = new CsvWriter(servicesWriter);
        var languages = new CsvWriter(languagesWriter);
        var attributes = new CsvWriter(attributesWriter);
        languages.WriteRow("id", "service_id", "location_id", "phone_id", "name", "code", "note");
        attributes.WriteRow("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value");
        WriteVocabulary(dir);
        orgs.WriteRow("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
            "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id");
        services.WriteRow("id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status",
            "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations",
            "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified");

        var used = new HashSet<string>();
        var serviceCount = 0;
        for (var i = 1; i <= orgCount; i++)
        {
            string name;
            do name = $"{f.Address.City()} {f.PickRandom(OrgSuffixes)}"; while (!used.Add(name));
            var orgId = DeterministicGuid(f);
            var domain = new string(name.ToLowerInvariant().Where(char.IsLetter).Take(20).ToArray()) + ".example.org";
            orgs.WriteRow(orgId, name, "", $"{name} serves children and families across Demo City.", $"referrals@{domain}",
                $"https://{domain}", "", "", f.Random.Int(1960, 2020).ToString(CultureInfo.InvariantCulture), "nonprofit", "", "", "");
            var locationId = DeterministicGuid(f);
            locations.WriteRow(locationId, "physical", "", orgId, $"{name} main office", "", "", "", "", "", "", "");
            addresses.WriteRow(DeterministicGuid(f), locationId, "", f.Address.StreetAddress(), "", "Demo City", "", "MA", f.Address.ZipCode("0####"), "US", "physical");
            foreach (var (serviceName, description, eligibility, serviceDomain, tier) in f.PickRandom(ServiceTemplates, f.Random.Int(1, 3)))
            {
                serviceCount++;
                var minAge = f.Random.Int(3, 6);
                var serviceId = DeterministicGuid(f);
                services.WriteRow(serviceId, orgId, "", serviceName, "", description, "", $"referrals@{domain}", "active",
                    "", "Referral from the school coordinator.", "Free", "", "", "", eligibility,
                    minAge.ToString(CultureInfo.InvariantCulture), "14", "", "", "", "", LastModified);
                attributes.WriteRow(DeterministicGuid(f), serviceId, HsdsVocabulary.Domains.First(d => d.Domain == serviceDomain).Term.Id, "", "service", "");
                attributes.WriteRow(DeterministicGuid(f), serviceId, HsdsVocabulary.Tiers.First(t => t.Tier == tier).Term.Id, "", "service", "");
                attributes.WriteRow(DeterministicGuid(f), serviceId, HsdsVocabulary.OpenPlaces.Id, "", "service",
                    f.Random.WeightedRandom([0, 2, 5, 12, 30], [0.15f, 0.2f, 0.3f, 0.25f, 0.1f]).ToString(CultureInfo.InvariantCulture));
                links.WriteRow(DeterministicGuid(f), serviceId, locationId, "");
                foreach (var (code, languageName) in new[] { ("en", "English") }.Concat(f.Random.Bool(0.5f) ? [("es", "Spanish")] : Array.Empty<(string, string)>())
                             .Concat(f.Random.Bool(0.15f) ? [("pt", "Portuguese")] : []).Concat(f.Random.Bool(0.1f) ? [("ht", "Haitian Creole")] : []))
                    languages.WriteRow(DeterministicGuid(f), serviceId, "", "", languageName, code, "");
            }
        }
        return (orgCount, serviceCount);
    }

    /// <summary>The taxonomies and terms our domain, tier and capacity attributes point at.</summary>
    private static void WriteVocabulary(string dir)
    {
        using (var w = Writer(Path.Combine(dir, "taxonomies.csv")))
        {
            var csv = new CsvWriter(w);
            csv.WriteRow("id", "name", "description", "uri", "version");
            foreach (var (id, name, description) in HsdsVocabulary.Taxonomies)
                csv.WriteRow(id, name, description, "", "1");
        }
        using (var w = Writer(Path.Combine(dir, "taxonomy_terms.csv")))
        {
            var csv = new CsvWriter(w);
            csv.WriteRow("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri");
            foreach (var t in HsdsVocabulary.AllTerms)
                csv.WriteRow(t.Id, t.Code, t.Name, t.Description, "", HsdsVocabulary.Taxonomies.First(x => x.Id == t.TaxonomyId).Name, "en", t.TaxonomyId, "");
        }
    }

    /// <summary>A random (version 4) UUID from the seeded generator, as HSDS ids must be.</summary>
    private static string DeterministicGuid(Faker f)
    {
        var bytes = f.Random.Bytes(16);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the Guid constructor reads bytes 6-7 as a little-endian short)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant 10xx
        return new Guid(bytes).ToString();
    }

    private static StreamWriter Writer(string path) => new(path, append: false, new UTF8Encoding(false));
}
