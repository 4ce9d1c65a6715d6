using System.Globalization;
using System.Text;
using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Roster;

namespace SuccessPlans.Features.Indicators;

/// <summary>What an import would do to one kind of row: add, change (a corrected row keeps its source id), leave, remove.</summary>
public sealed record IndicatorCounts(int Add, int Change, int Unchanged, int Remove)
{
    public int Total => Add + Change + Remove;
}

/// <summary>
/// An indicator import worked out before anything is written. Unlike a roster, any bad row (or a row naming a student or
/// school the tenant does not have) stops the whole import: a partial year of attendance would give wrong rates.
/// </summary>
public sealed class IndicatorImportPreview
{
    public List<RejectedRow> Errors { get; } = [];
    public List<string> FilesRead { get; } = [];
    public IndicatorCounts Attendance { get; internal set; } = new(0, 0, 0, 0);
    public IndicatorCounts SchoolDays { get; internal set; } = new(0, 0, 0, 0);
    public IndicatorCounts Incidents { get; internal set; } = new(0, 0, 0, 0);
    public IndicatorCounts Marks { get; internal set; } = new(0, 0, 0, 0);
    /// <summary>Nothing is written unless every row of every file is right.</summary>
    public bool CanImport => Errors.Count == 0 && FilesRead.Count > 0;

    /// <summary>Hundreds of thousands of absences a year: kept as compact values until written, not as entities.</summary>
    internal Changes<NewAttendance> AttendanceChanges { get; } = new();
    internal Changes<BehaviorIncident> IncidentChanges { get; } = new();
    internal Changes<CourseMark> MarkChanges { get; } = new();
    internal List<SchoolDay> DaysToAdd { get; } = [];
    internal List<int> DaysToRemove { get; } = [];

    internal void Error(string file, int line, CoreMessage reason)
    {
        // A file of a million bad rows is reported by its first thousand problems; nothing is written either way.
        if (Errors.Count < MaxErrors) Errors.Add(new RejectedRow(file, line, reason));
        else TooManyErrors = true;
    }

    public const int MaxErrors = 1000;
    public bool TooManyErrors { get; private set; }
}

/// <summary>An absence, tardy or early departure to write: a struct in the list, some 40 bytes less a row than an entity.</summary>
internal readonly record struct NewAttendance(string SourceId, int StudentId, int SchoolId, DateOnly Date, AttendanceCategory Category);

internal sealed class Changes<T>
{
    public List<T> Add { get; } = [];
    /// <summary>Existing rows replaced by a corrected one (deleted, then inserted again under the same source id).</summary>
    public List<int> Replace { get; } = [];
    public List<int> Remove { get; } = [];
    public int Unchanged { get; set; }
    public IndicatorCounts Counts => new(Add.Count - Replace.Count, Replace.Count, Unchanged, Remove.Count);
}

/// <summary>
/// Attendance (calendarDates.csv and attendance.csv, close to Ed-Fi's CalendarDate and StudentSchoolAttendanceEvent),
/// behaviour incidents (incidents.csv, close to Ed-Fi's DisciplineIncident and its student association) and course marks
/// (OneRoster 1.1/1.2 gradebook: results.csv with lineItems.csv, academicSessions.csv and classes.csv) into the current
/// tenant. Students are matched by their roster sourcedId within this tenant only, and must belong to the row's school.
/// Idempotent by source id: a re-import changes nothing. Columns in docs/indicators.md.
/// </summary>
public sealed class IndicatorImporter(AppDbContext db, IndicatorSummary summary)
{
    public const string AttendanceFile = "attendance.csv";
    public const string CalendarFile = "calendarDates.csv";
    public const string IncidentsFile = "incidents.csv";
    public const string ResultsFile = "results.csv";
    public static readonly string[] KnownFiles = [AttendanceFile, CalendarFile, IncidentsFile, ResultsFile, "lineItems.csv", "academicSessions.csv", "classes.csv"];

    /// <summary>A numeric score under this share of the line item's maximum (100 when none) is a failing mark.</summary>
    public const double PassingShare = 0.6;
    private static readonly HashSet<string> FailingLetters = new(["F", "E", "U", "NP", "FAIL", "FAILING", "NC"], StringComparer.OrdinalIgnoreCase);

    private const int LookupChunk = 2000;
    private static readonly StringComparer Keys = StringComparer.OrdinalIgnoreCase;

    private sealed record StudentKey(int Id, int SchoolId);

    /// <summary>Works out the import without writing anything.</summary>
    public Task<IndicatorImportPreview> PreviewAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default) =>
        PreviewAsync(files.ToDictionary(f => f.Key, f => (Func<TextReader>)(() => new StringReader(f.Value))), ct);

    /// <summary>
    /// Works out the import without writing anything, reading each file as a stream (each opener gives a fresh reader
    /// from the start): a year of daily attendance is millions of rows, never held whole in memory.
    /// </summary>
    public async Task<IndicatorImportPreview> PreviewAsync(IReadOnlyDictionary<string, Func<TextReader>> files, CancellationToken ct = default)
    {
        var preview = new IndicatorImportPreview();
        foreach (var name in files.Keys.Where(k => k.EndsWith("(not a zip file)", StringComparison.Ordinal)))
            preview.Error(name.Replace(" (not a zip file)", ""), 0, "not a zip file that can be read");
        var found = KnownFiles.Where(files.ContainsKey).ToList();
        if (!found.Any(f => f is AttendanceFile or CalendarFile or IncidentsFile or ResultsFile))
            preview.Error("(upload)", 0, $"none of {AttendanceFile}, {CalendarFile}, {IncidentsFile} or {ResultsFile} was found");
        if (preview.Errors.Count > 0) return preview;
        preview.FilesRead.AddRange(found);

        var schools = (await db.Schools.AsNoTracking().Where(s => s.ExternalId != null).Select(s => new { s.Id, s.ExternalId }).ToListAsync(ct))
            .ToDictionary(s => s.ExternalId!, s => s.Id, Keys);
        var students = await StudentsAsync(ct);
        try
        {
            if (files.TryGetValue(CalendarFile, out var calendar)) await ReadCalendarAsync(calendar, schools, preview, ct);
            if (files.TryGetValue(AttendanceFile, out var attendance)) await ReadAttendanceAsync(attendance, schools, students, preview, ct);
            if (files.TryGetValue(IncidentsFile, out var incidents)) await ReadIncidentsAsync(incidents, schools, students, preview, ct);
            if (files.TryGetValue(ResultsFile, out var results)) await ReadMarksAsync(files, results, students, preview, ct);
        }
        catch (ImportFileException e)
        {
            preview.Error(e.File, e.Line, e.Reason);
        }
        preview.Attendance = preview.AttendanceChanges.Counts;
        preview.Incidents = preview.IncidentChanges.Counts;
        preview.Marks = preview.MarkChanges.Counts;
        return preview;
    }

    /// <summary>
    /// The tenant's rostered students by sourcedId, in one read (the tenant filter keeps other tenants' out). Reading
    /// them all costs less than a first pass over millions of attendance rows to collect the ids they name.
    /// </summary>
    private async Task<Dictionary<string, StudentKey>> StudentsAsync(CancellationToken ct)
    {
        var found = new Dictionary<string, StudentKey>(Keys);
        await foreach (var s in db.Students.AsNoTracking().Where(s => s.ExternalId != null)
                           .Select(s => new { s.ExternalId, s.Id, s.SchoolId }).AsAsyncEnumerable().WithCancellation(ct))
            found[s.ExternalId!] = new StudentKey(s.Id, s.SchoolId);
        return found;
    }

    private async Task ReadCalendarAsync(Func<TextReader> open, Dictionary<string, int> schools, IndicatorImportPreview preview, CancellationToken ct)
    {
        using var reader = open();
        var file = CsvFile.Open(CalendarFile, reader);
        file.RequireHeaders("schoolId", "date", "calendarEventDescriptor");
        var instructional = new Dictionary<(int School, DateOnly Date), int>();
        var other = new HashSet<(int School, DateOnly Date)>();
        foreach (var row in file.Rows)
        {
            if (!TrySchool(row, "schoolId", schools, preview, out var school) | !TryDate(row, "date", preview, out var date)) continue;
            var kind = Descriptor(row["calendarEventDescriptor"]);
            if (kind.Equals("Instructional day", StringComparison.OrdinalIgnoreCase)) instructional.TryAdd((school, date), row.Line);
            else if (kind.Length > 0) other.Add((school, date));
            else preview.Error(CalendarFile, row.Line, "calendarEventDescriptor is empty");
        }
        var existing = (await db.SchoolDays.AsNoTracking().Select(d => new { d.Id, d.SchoolId, d.Date }).ToListAsync(ct))
            .ToDictionary(d => (d.SchoolId, d.Date), d => d.Id);
        foreach (var (key, _) in instructional.Where(d => !existing.ContainsKey(d.Key)))
            preview.DaysToAdd.Add(new SchoolDay { SchoolId = key.School, Date = key.Date });
        // A day listed as anything else (a holiday, a snow day) is no longer instructional.
        preview.DaysToRemove.AddRange(other.Where(k => !instructional.ContainsKey(k) && existing.ContainsKey(k)).Select(k => existing[k]));
        preview.SchoolDays = new IndicatorCounts(preview.DaysToAdd.Count, 0, instructional.Count - preview.DaysToAdd.Count, preview.DaysToRemove.Count);
    }

    private readonly record struct StoredEvent(int Id, int StudentId, int SchoolId, DateOnly Date, AttendanceCategory Category);

    /// <summary>
    /// A year of daily attendance is millions of rows, read once as spans: fields are looked up without a string each
    /// (dictionaries by span, dates by their digits), and strings are made only for the rows that are stored.
    /// </summary>
    private async Task ReadAttendanceAsync(Func<TextReader> open, Dictionary<string, int> schools, Dictionary<string, StudentKey> students, IndicatorImportPreview preview, CancellationToken ct)
    {
        // What is stored, read once by source id: only absences, tardies and early departures are stored, a small part of
        // a year's rows, so the millions of present days never wait on a database lookup.
        var stored = new Dictionary<string, StoredEvent>(Keys);
        await foreach (var e in db.AttendanceEvents.AsNoTracking().Select(e => new { e.Id, e.SourceId, e.StudentId, e.SchoolId, e.Date, e.Category })
                           .AsAsyncEnumerable().WithCancellation(ct))
            stored[e.SourceId] = new StoredEvent(e.Id, e.StudentId, e.SchoolId, e.Date, e.Category);
        var storedById = stored.GetAlternateLookup<ReadOnlySpan<char>>();
        var schoolById = schools.GetAlternateLookup<ReadOnlySpan<char>>();
        var studentById = students.GetAlternateLookup<ReadOnlySpan<char>>();
        var changes = preview.AttendanceChanges;
        using var hashes = new SourceIdHashes();
        using (var reader = open())
        {
            var file = CsvFile.Open(AttendanceFile, reader);
            file.RequireHeaders("sourceId", "studentUniqueId", "schoolId", "eventDate", "attendanceEventCategoryDescriptor");
            int sourceColumn = file.IndexOf("sourceId"), studentColumn = file.IndexOf("studentUniqueId"), schoolColumn = file.IndexOf("schoolId"),
                dateColumn = file.IndexOf("eventDate"), categoryColumn = file.IndexOf("attendanceEventCategoryDescriptor");
            var rows = file.Records;
            while (rows.Read())
            {
                if (rows.IsBlank) continue;
                var line = rows.Line;
                var ok = true;
                var sourceId = rows[sourceColumn];
                if (sourceId.Length == 0) ok = Fail(preview, AttendanceFile, line, "sourceId is empty");
                else if (sourceId.Length > 128) ok = Fail(preview, AttendanceFile, line, "sourceId is longer than 128 characters");
                var schoolText = rows[schoolColumn];
                if (!schoolById.TryGetValue(schoolText, out var school))
                    ok = Fail(preview, AttendanceFile, line, schoolText.Length == 0 ? (CoreMessage)"schoolId is empty" : (CoreMessage)$"school '{Short(schoolText)}' is not one of this tenant's schools");
                var dateText = rows[dateColumn];
                if (!TryIsoDate(dateText, out var date))
                    ok = Fail(preview, AttendanceFile, line, $"eventDate '{Short(dateText)}' is not a date (yyyy-MM-dd)");
                var categoryText = Descriptor(rows[categoryColumn]);
                AttendanceCategory? category = null;
                if (categoryText.Equals("In Attendance", StringComparison.OrdinalIgnoreCase)) { }
                else if (categoryText.Equals("Excused Absence", StringComparison.OrdinalIgnoreCase)) category = AttendanceCategory.ExcusedAbsence;
                else if (categoryText.Equals("Unexcused Absence", StringComparison.OrdinalIgnoreCase)) category = AttendanceCategory.UnexcusedAbsence;
                else if (categoryText.Equals("Tardy", StringComparison.OrdinalIgnoreCase)) category = AttendanceCategory.Tardy;
                else if (categoryText.Equals("Early departure", StringComparison.OrdinalIgnoreCase)) category = AttendanceCategory.EarlyDeparture;
                else
                    ok = Fail(preview, AttendanceFile, line, $"attendanceEventCategoryDescriptor '{Short(new string(categoryText).ToLowerInvariant())}' is not In Attendance, Excused Absence, Unexcused Absence, Tardy or Early departure");
                var studentText = rows[studentColumn];
                if (!studentById.TryGetValue(studentText, out var student))
                {
                    Fail(preview, AttendanceFile, line, studentText.Length == 0 ? (CoreMessage)"studentUniqueId is empty" : (CoreMessage)$"student '{Short(studentText)}' is not on this tenant's roster");
                    continue;
                }
                if (ok && student.SchoolId != school)
                {
                    Fail(preview, AttendanceFile, line, $"student '{Short(studentText)}' is not a student of school '{Short(schoolText)}'");
                    continue;
                }
                if (!ok || preview.Errors.Count > 0) continue;
                hashes.Add(SourceIdHash(sourceId));
                var found = storedById.TryGetValue(sourceId, out var old);
                // "In Attendance" is not stored: present days are the calendar's other days. Sent for a stored id, it corrects an absence away.
                if (category is not { } c)
                {
                    if (found) changes.Remove.Add(old.Id);
                    continue;
                }
                if (found && old.StudentId == student.Id && old.SchoolId == school && old.Date == date && old.Category == c)
                {
                    changes.Unchanged++;
                    continue;
                }
                if (found) changes.Replace.Add(old.Id);
                changes.Add.Add(new NewAttendance(new string(sourceId), student.Id, school, date, c));
            }
        }
        if (preview.Errors.Count == 0 && hashes.Repeated() is { Count: > 0 } suspects)
            ReportDuplicates(open, AttendanceFile, "sourceId", suspects, preview);
    }

    /// <summary>
    /// A source id twice in a file is refused. Millions of ids are kept as 64-bit hashes (9 million rows: 72 MB), sorted,
    /// and only when two hashes meet is the file read again to name the rows. The hashes live in native memory, grown by
    /// realloc (on Linux a remap, not a copy beside the old block) and freed as soon as the check has them, so the write
    /// that follows never carries them as garbage waiting for a full collection.
    /// </summary>
    private sealed unsafe class SourceIdHashes : IDisposable
    {
        private ulong* _items;
        private int _count;
        private int _capacity;

        public void Add(ulong hash)
        {
            if (_count == _capacity)
            {
                var capacity = _capacity == 0 ? 1 << 16 : checked(_capacity * 2);
                _items = (ulong*)System.Runtime.InteropServices.NativeMemory.Realloc(_items, (nuint)capacity * sizeof(ulong));
                _capacity = capacity;
            }
            _items[_count++] = hash;
        }

        /// <summary>The hashes seen more than once.</summary>
        public HashSet<ulong> Repeated()
        {
            var repeated = new HashSet<ulong>();
            var all = new Span<ulong>(_items, _count);
            all.Sort();
            for (var i = 1; i < all.Length; i++)
                if (all[i] == all[i - 1]) repeated.Add(all[i]);
            return repeated;
        }

        public void Dispose()
        {
            System.Runtime.InteropServices.NativeMemory.Free(_items);
            _items = null;
            _count = _capacity = 0;
        }
    }

    /// <summary>Names the rows whose source id is also on an earlier line, reading the file again for the suspected hashes only.</summary>
    private static void ReportDuplicates(Func<TextReader> open, string fileName, string column, HashSet<ulong> suspects, IndicatorImportPreview preview)
    {
        var seen = new Dictionary<string, int>(Keys);
        using var reader = open();
        foreach (var row in CsvFile.Open(fileName, reader).Rows)
        {
            var id = row[column];
            if (!suspects.Contains(SourceIdHash(id))) continue;
            if (!seen.TryAdd(id, row.Line)) preview.Error(fileName, row.Line, $"source id '{Short(id)}' is also on line {seen[id]}");
        }
    }

    /// <summary>FNV-1a over the id's upper-case characters: equal for ids that match case-insensitively, as source ids do.</summary>
    private static ulong SourceIdHash(ReadOnlySpan<char> id)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in id)
        {
            // ASCII upper-cased by arithmetic; anything else as OrdinalIgnoreCase compares it.
            var upper = ch is >= 'a' and <= 'z' ? (char)(ch - 32) : ch < 128 ? ch : char.ToUpperInvariant(ch);
            hash = (hash ^ upper) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>yyyy-MM-dd read from its digits (no culture, no format string); anything else as the format would read it.</summary>
    private static bool TryIsoDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && Digits(text[..4], out var year) && Digits(text.Slice(5, 2), out var month) && Digits(text.Slice(8, 2), out var day)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            date = new DateOnly(year, month, day);
            return true;
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

        static bool Digits(ReadOnlySpan<char> s, out int value)
        {
            value = 0;
            foreach (var c in s)
            {
                if (!char.IsAsciiDigit(c)) return false;
                value = value * 10 + (c - '0');
            }
            return true;
        }
    }

    private async Task ReadIncidentsAsync(Func<TextReader> open, Dictionary<string, int> schools, Dictionary<string, StudentKey> students, IndicatorImportPreview preview, CancellationToken ct)
    {
        using var reader = open();
        var file = CsvFile.Open(IncidentsFile, reader);
        file.RequireHeaders("incidentIdentifier", "schoolId", "studentUniqueId", "incidentDate");
        var incoming = new List<(int Line, string SourceId, BehaviorIncident? Row)>();
        foreach (var row in file.Rows)
        {
            var ok = TrySourceId(row, "incidentIdentifier", 64, preview, out var incident) & TrySchool(row, "schoolId", schools, preview, out var school)
                     & TryDate(row, "incidentDate", preview, out var date);
            var behavior = Descriptor(row["behaviorDescriptor"]);
            if (behavior.Length > 100) ok = Fail(preview, row, "behaviorDescriptor is longer than 100 characters");
            var severity = IncidentSeverity.Minor;
            switch (row["severity"].ToLowerInvariant())
            {
                case "" or "minor": break;
                case "major": severity = IncidentSeverity.Major; break;
                case var other: ok = Fail(preview, row, $"severity '{Short(other)}' is not minor or major"); break;
            }
            if (!ok | !TryStudent(row, "studentUniqueId", students, ok ? school : null, preview, out var student) || preview.Errors.Count > 0) continue;
            // One incident may involve several students: the source id is the school's incident and the student.
            var sourceId = $"{row["schoolId"]}/{incident}/{row["studentUniqueId"]}";
            var deleted = row["status"].Equals("tobedeleted", StringComparison.OrdinalIgnoreCase);
            incoming.Add((row.Line, sourceId, deleted ? null : new BehaviorIncident { SourceId = sourceId, StudentId = student.Id, SchoolId = school, Date = date, Behavior = behavior.Length > 0 ? behavior : null, Severity = severity }));
        }
        await CompareAsync(IncidentsFile, incoming, db.BehaviorIncidents, preview.IncidentChanges, preview,
            (a, b) => a.StudentId == b.StudentId && a.SchoolId == b.SchoolId && a.Date == b.Date && a.Behavior == b.Behavior && a.Severity == b.Severity, ct);
    }

    private sealed record LineItem(string Title, string? ClassId, string? SessionId, double? Max);
    private sealed record Session(string Title, DateOnly End);

    private async Task ReadMarksAsync(IReadOnlyDictionary<string, Func<TextReader>> files, Func<TextReader> open, Dictionary<string, StudentKey> students, IndicatorImportPreview preview, CancellationToken ct)
    {
        if (!files.TryGetValue("lineItems.csv", out var lineItemsText))
            throw new ImportFileException("lineItems.csv", 0, "file not found (results.csv names its line items there)");
        var sessions = new Dictionary<string, Session>(Keys);
        if (files.TryGetValue("academicSessions.csv", out var sessionsText))
        {
            using var sessionsReader = sessionsText();
            var f = CsvFile.Open("academicSessions.csv", sessionsReader);
            f.RequireHeaders("sourcedId", "title", "endDate");
            foreach (var row in f.Rows)
                if (TryDate(row, "endDate", preview, out var end)) sessions[row.Required("sourcedId")] = new Session(row.Required("title"), end);
        }
        var classes = new Dictionary<string, string>(Keys);
        if (files.TryGetValue("classes.csv", out var classesText))
            foreach (var row in ReadAll("classes.csv", classesText))
                if (row.Optional("sourcedId") is { } id) classes[id] = row["title"];
        var items = new Dictionary<string, LineItem>(Keys);
        using var lineItemsReader = lineItemsText();
        var lineItems = CsvFile.Open("lineItems.csv", lineItemsReader);
        lineItems.RequireHeaders("sourcedId", "title");
        foreach (var row in lineItems.Rows)
        {
            double? max = null;
            if (row.Optional("resultValueMax") is { } m)
            {
                if (double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0) max = v;
                else { preview.Error("lineItems.csv", row.Line, $"resultValueMax '{Short(m)}' is not a positive number"); continue; }
            }
            // OneRoster 1.1 names the grading period gradingPeriodSourcedId; 1.2 adds academicSessionSourcedId.
            var session = row.Optional("gradingPeriodSourcedId") ?? row.Optional("academicSessionSourcedId");
            if (session is not null && sessions.Count > 0 && !sessions.ContainsKey(session))
                preview.Error("lineItems.csv", row.Line, $"grading period '{Short(session)}' is not in academicSessions.csv");
            items[row.Required("sourcedId")] = new LineItem(row.Required("title"), row.Optional("classSourcedId"), session, max);
        }

        using var reader = open();
        var file = CsvFile.Open(ResultsFile, reader);
        file.RequireHeaders("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreDate");
        var incoming = new List<(int Line, string SourceId, CourseMark? Row)>();
        foreach (var row in file.Rows)
        {
            var ok = TrySourceId(row, "sourcedId", 128, preview, out var sourceId) & TryDate(row, "scoreDate", preview, out var date);
            if (!items.TryGetValue(row["lineItemSourcedId"], out var item)) ok = Fail(preview, row, $"lineItemSourcedId '{Short(row["lineItemSourcedId"])}' is not in lineItems.csv");
            if (!TryStudent(row, "studentSourcedId", students, null, preview, out var student)) ok = false;
            var deleted = row["status"].Equals("tobedeleted", StringComparison.OrdinalIgnoreCase);
            string mark = "";
            var passing = true;
            if (ok && !deleted)
            {
                // 1.2 has textScore beside score; a letter decides when given, else the numeric score against the maximum.
                var letter = row.Optional("textScore");
                var score = row.Optional("score");
                if (letter is not null) { mark = letter; passing = !FailingLetters.Contains(letter); }
                else if (score is not null && double.TryParse(score, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0)
                { mark = score; passing = s / (item!.Max ?? 100) >= PassingShare; }
                else ok = Fail(preview, row, score is null ? (CoreMessage)"neither score nor textScore is given" : (CoreMessage)$"score '{Short(score)}' is not a number");
                if (mark.Length > 32) ok = Fail(preview, row, "the mark is longer than 32 characters");
            }
            if (!ok || preview.Errors.Count > 0) continue;
            var term = item!.SessionId is { } sid && sessions.TryGetValue(sid, out var session) ? session.Title : item.SessionId ?? "";
            var course = item.ClassId is { } cid && classes.TryGetValue(cid, out var title) && title.Length > 0 ? title : item.Title;
            incoming.Add((row.Line, sourceId, deleted ? null : new CourseMark
            {
                SourceId = sourceId, StudentId = student.Id, Date = date, Course = Cut(course, 200), Term = Cut(term, 100), Mark = mark, Passing = passing,
            }));
        }
        await CompareAsync(ResultsFile, incoming, db.CourseMarks, preview.MarkChanges, preview,
            (a, b) => a.StudentId == b.StudentId && a.Date == b.Date && a.Course == b.Course && a.Term == b.Term && a.Mark == b.Mark && a.Passing == b.Passing, ct);
    }

    private static List<CsvRow> ReadAll(string name, Func<TextReader> open)
    {
        using var reader = open();
        return CsvFile.Open(name, reader).Rows.ToList();
    }

    /// <summary>Compares the file's rows with the stored ones by source id, in chunks; a row of null removes what is stored.</summary>
    private static async Task CompareAsync<T>(string fileName, List<(int Line, string SourceId, T? Row)> incoming, IQueryable<T> table, Changes<T> changes,
        IndicatorImportPreview preview, Func<T, T, bool> same, CancellationToken ct) where T : ImportedIndicator
    {
        var seen = new Dictionary<string, int>(Keys);
        foreach (var (line, id, _) in incoming)
            if (!seen.TryAdd(id, line)) preview.Error(fileName, line, $"source id '{Short(id)}' is also on line {seen[id]}");
        if (preview.Errors.Count > 0) return;
        foreach (var chunk in incoming.Chunk(LookupChunk))
        {
            var ids = chunk.Select(c => c.SourceId).ToList();
            var stored = (await table.AsNoTracking().Where(e => ids.Contains(e.SourceId)).ToListAsync(ct)).ToDictionary(e => e.SourceId, Keys);
            foreach (var (_, id, row) in chunk)
            {
                var old = stored.GetValueOrDefault(id);
                if (row is null) { if (old is not null) changes.Remove.Add(old.Id); continue; }
                if (old is null) { changes.Add.Add(row); continue; }
                if (same(old, row)) { changes.Unchanged++; continue; }
                changes.Replace.Add(old.Id);
                changes.Add.Add(row);
            }
        }
    }

    /// <summary>Writes the preview in one transaction (all or nothing), then refreshes the students' indicators.</summary>
    public async Task<string> ApplyAsync(IndicatorImportPreview preview, DateOnly today, CancellationToken ct = default)
    {
        if (!preview.CanImport)
            throw new InvalidOperationException("This import has errors and cannot be applied.");
        await db.InTransactionAsync(async ct =>
        {
            var tenantId = db.CurrentTenantId ?? throw new SuccessPlans.Tenancy.TenantViolationException("Cannot import indicators: no tenant in scope.");
            foreach (var chunk in preview.DaysToRemove.Chunk(LookupChunk))
                await db.SchoolDays.Where(d => chunk.Contains(d.Id)).ExecuteDeleteAsync(ct);
            await BulkInsert.SchoolDaysAsync(db, tenantId, preview.DaysToAdd, ct);
            foreach (var chunk in preview.AttendanceChanges.Replace.Concat(preview.AttendanceChanges.Remove).Chunk(LookupChunk))
                await db.AttendanceEvents.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
            await BulkInsert.AttendanceAsync(db, tenantId, preview.AttendanceChanges.Add, e => [e.SourceId, e.StudentId, e.Date, e.SchoolId, e.Category.ToString()], ct);
            foreach (var chunk in preview.IncidentChanges.Replace.Concat(preview.IncidentChanges.Remove).Chunk(LookupChunk))
                await db.BehaviorIncidents.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
            await BulkInsert.IncidentsAsync(db, tenantId, preview.IncidentChanges.Add, ct);
            foreach (var chunk in preview.MarkChanges.Replace.Concat(preview.MarkChanges.Remove).Chunk(LookupChunk))
                await db.CourseMarks.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
            await BulkInsert.MarksAsync(db, tenantId, preview.MarkChanges.Add, ct);
            await summary.RefreshAsync(today, ct);
            return 0;
        }, ct);
        return StoredText.Write(Roster.ImportReports.Indicators, preview.Attendance.Add, preview.Attendance.Change, preview.Attendance.Remove,
            preview.Incidents.Add, preview.Incidents.Change, preview.Incidents.Remove, preview.Marks.Add, preview.Marks.Change, preview.Marks.Remove,
            preview.SchoolDays.Add, preview.SchoolDays.Change, preview.SchoolDays.Remove);
    }

    // Field readers: each reports its own problem with file and line, and says whether the value is usable.

    private static bool TrySourceId(CsvRow row, string column, int maxLength, IndicatorImportPreview preview, out string id)
    {
        id = row[column];
        if (id.Length == 0) return Fail(preview, row, $"{column} is empty");
        if (id.Length > maxLength) return Fail(preview, row, $"{column} is longer than {maxLength} characters");
        return true;
    }

    private static bool TrySchool(CsvRow row, string column, Dictionary<string, int> schools, IndicatorImportPreview preview, out int school)
    {
        if (schools.TryGetValue(row[column], out school)) return true;
        return Fail(preview, row, row[column].Length == 0 ? (CoreMessage)$"{column} is empty" : (CoreMessage)$"school '{Short(row[column])}' is not one of this tenant's schools");
    }

    private static bool TryStudent(CsvRow row, string column, Dictionary<string, StudentKey> students, int? school, IndicatorImportPreview preview, out StudentKey student)
    {
        if (!students.TryGetValue(row[column], out student!))
            return Fail(preview, row, row[column].Length == 0 ? (CoreMessage)$"{column} is empty" : (CoreMessage)$"student '{Short(row[column])}' is not on this tenant's roster");
        if (school is { } s && student.SchoolId != s)
            return Fail(preview, row, $"student '{Short(row[column])}' is not a student of school '{Short(row["schoolId"])}'");
        return true;
    }

    private static bool TryDate(CsvRow row, string column, IndicatorImportPreview preview, out DateOnly date)
    {
        if (TryIsoDate(row[column], out date)) return true;
        return Fail(preview, row, $"{column} '{Short(row[column])}' is not a date (yyyy-MM-dd)");
    }

    /// <summary>Records the problem; false, so a reader can return it.</summary>
    private static bool Fail(IndicatorImportPreview preview, CsvRow row, CoreMessage reason) => Fail(preview, row.FileName, row.Line, reason);

    private static bool Fail(IndicatorImportPreview preview, string file, int line, CoreMessage reason)
    {
        preview.Error(file, line, reason);
        return false;
    }

    /// <summary>Ed-Fi descriptors may come as a URI: "uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy" is "Tardy".</summary>
    private static string Descriptor(string value) => new(Descriptor(value.AsSpan()));

    private static ReadOnlySpan<char> Descriptor(ReadOnlySpan<char> value) => value.LastIndexOf('#') is var i and >= 0 ? value[(i + 1)..].Trim() : value.Trim();

    private static string Short(ReadOnlySpan<char> value) => value.Length <= 60 ? new string(value) : new string(value[..60]) + "…";
    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max];
}
