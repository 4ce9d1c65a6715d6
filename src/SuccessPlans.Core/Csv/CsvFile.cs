using System.Text;

namespace SuccessPlans.Csv;

/// <summary>
/// A problem in an imported file, named by file, line and (where known) field. The reason is a <see cref="CoreMessage"/>
/// so that a page shows it in the reader's language; <see cref="Exception.Message"/> is the English text (logs, commands).
/// </summary>
public sealed class ImportFileException(string file, int line, CoreMessage reason) : Exception(At(file, line, reason).ToString())
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public CoreMessage Reason { get; } = reason;

    /// <summary>The whole problem ("users.csv line 3: …"), to be shown in the reader's language.</summary>
    public CoreMessage Text => At(File, Line, Reason);

    /// <summary>A reason placed in its file and line, as reports and refusals write it.</summary>
    public static CoreMessage At(string file, int line, CoreMessage reason)
    {
        if (line > 0) return $"{file} line {line}: {reason}";
        return $"{file}: {reason}";
    }
}

/// <summary>One data row; fields are looked up by header name, and a column the file lacks reads as empty.</summary>
public sealed class CsvRow(CsvFile file, int line, string[] fields)
{
    public int Line { get; } = line;
    public string FileName => file.Name;

    public string this[string header] =>
        file.IndexOf(header) is var i and >= 0 && i < fields.Length ? CsvWriter.Unprotect(fields[i]).Trim() : "";

    public string? Optional(string header) => this[header] is { Length: > 0 } v ? v : null;

    public string Required(string header) =>
        this[header] is { Length: > 0 } v ? v : throw new ImportFileException(FileName, Line, $"field '{header}' is empty");

    public ImportFileException Error(CoreMessage message) => new(FileName, Line, message);
}

/// <summary>
/// RFC 4180 CSV as real exports write it: with or without a BOM, CRLF or LF, quoted fields holding commas,
/// quotes and line breaks, extra columns, blank lines. Line numbers are those a person sees in an editor.
/// </summary>
public sealed class CsvFile
{
    private readonly Dictionary<string, int> _index;

    public string Name { get; }
    public IReadOnlyList<string> Headers { get; }
    public IEnumerable<CsvRow> Rows { get; }

    /// <summary>
    /// The data records after the header, read as spans without a string per field (blank lines included: skip
    /// <see cref="CsvReader.IsBlank"/>): for files of millions of rows. Read either these or <see cref="Rows"/>, not both.
    /// </summary>
    public CsvReader Records { get; }

    private CsvFile(string name, string[] headers, IEnumerable<CsvRow> rows, CsvReader records)
    {
        Records = records;
        Name = name;
        Headers = headers;
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Length; i++)
            _index.TryAdd(headers[i].Trim(), i);
        Rows = rows;
    }

    public int IndexOf(string header) => _index.TryGetValue(header, out var i) ? i : -1;

    public bool Has(string header) => _index.ContainsKey(header);

    /// <summary>Throws naming the file when a column the importer needs is missing.</summary>
    public void RequireHeaders(params string[] headers)
    {
        var missing = headers.Where(h => !Has(h)).ToList();
        if (missing.Count > 0)
            throw new ImportFileException(Name, 1, $"missing column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}");
    }

    /// <summary>Reads the whole file; rows are parsed lazily but the header eagerly, so header errors come first.</summary>
    public static CsvFile Read(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path, Encoding.UTF8));

    public static CsvFile Parse(string name, string text) => Open(name, new StringReader(text));

    /// <summary>
    /// Reads rows from the reader as they are enumerated, so a file far larger than memory can be read once; the reader
    /// must stay open while the rows are read.
    /// </summary>
    public static CsvFile Open(string name, TextReader reader)
    {
        var records = new CsvReader(name, reader);
        if (!records.Read())
            throw new ImportFileException(name, 0, "the file is empty (no header row)");
        var header = records.Fields();
        CsvFile? file = null;
        file = new CsvFile(name, header, Remaining(records, () => file!), records);
        return file;
    }

    private static IEnumerable<CsvRow> Remaining(CsvReader records, Func<CsvFile> file)
    {
        while (records.Read())
        {
            if (records.IsBlank) continue; // blank line
            yield return new CsvRow(file(), records.Line, records.Fields());
        }
    }

}

/// <summary>
/// Writes RFC 4180 CSV (quoted only where needed, CRLF line ends, as OneRoster and HSDS files do) that is safe to open
/// in a spreadsheet: a cell that would run as a formula (OWASP CSV injection: it starts with = + - @, a tab or a carriage
/// return) is written behind a single quote, which spreadsheets show as text. Plain numbers such as -5 stay as they are.
/// CsvFile reads such a cell back without the quote, so our own files round-trip unchanged.
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    public void WriteRow(params IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) writer.Write(',');
            first = false;
            writer.Write(Escape(Protect(f ?? "")));
        }
        writer.Write("\r\n");
    }

    public static string Escape(string f) =>
        f.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f;

    /// <summary>The cell as written: behind a quote when a spreadsheet would run it as a formula.</summary>
    public static string Protect(string cell) => RunsAsFormula(cell) ? "'" + cell : cell;

    /// <summary>Undoes <see cref="Protect"/>: one quote less before a cell that would otherwise run as a formula.</summary>
    public static string Unprotect(string cell) => cell.StartsWith('\'') && RunsAsFormula(cell.AsSpan(1)) ? cell[1..] : cell;

    /// <summary><see cref="Unprotect(string)"/> on a span, as <see cref="CsvReader"/> gives fields.</summary>
    public static ReadOnlySpan<char> Unprotect(ReadOnlySpan<char> cell) => cell.StartsWith('\'') && RunsAsFormula(cell[1..]) ? cell[1..] : cell;

    /// <summary>
    /// Whether the cell, read past any quotes already in front, starts like a formula. Looking past the quotes makes
    /// Protect and Unprotect exact inverses: a value that itself starts with a quote and then '=' keeps its own quote.
    /// </summary>
    private static bool RunsAsFormula(ReadOnlySpan<char> cell)
    {
        var rest = cell.TrimStart('\'');
        return rest.Length > 0 && rest[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
            && !double.TryParse(rest, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}
