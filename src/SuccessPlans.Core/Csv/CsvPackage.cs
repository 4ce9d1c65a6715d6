using System.IO.Compression;
using System.Text;

namespace SuccessPlans.Csv;

/// <summary>
/// How much a zip may unpack to. A zip's headers declare sizes but nothing makes them true, so the bytes are
/// counted as they come out of the decompressor, and reading stops at the first byte over a bound.
/// </summary>
public sealed record ZipBounds(int MaxEntries, long MaxUnpackedBytes, int MaxRatio, long RatioFreeBytes)
{
    /// <summary>Far above any roster or directory (200,000 students are some 100 MB of CSV, compressed 4 to 10 times).</summary>
    public static readonly ZipBounds Default = new(MaxEntries: 1_000, MaxUnpackedBytes: 512L * 1024 * 1024, MaxRatio: 100, RatioFreeBytes: 1024 * 1024);
}

/// <summary>A package of CSV files (OneRoster, HSDS) as uploaded: a zip, or loose files; read into file name -> text.</summary>
public static class CsvPackage
{
    /// <summary>
    /// Reads a zip, or loose CSV files, into name -> text (names lower-cased, folders dropped). A zip over its
    /// <see cref="ZipBounds"/> is refused with an <see cref="ImportFileException"/> saying which bound.
    /// </summary>
    public static Dictionary<string, string> ReadFiles(IEnumerable<(string Name, Stream Content)> uploads, ZipBounds? bounds = null)
    {
        bounds ??= ZipBounds.Default;
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, content) in uploads)
        {
            if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
                    var csvEntries = CheckBounds(name, zip, bounds);
                    foreach (var entry in csvEntries)
                    {
                        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
                        files[entry.Name] = reader.ReadToEnd();
                    }
                }
                catch (InvalidDataException)
                {
                    files[$"{name} (not a zip file)"] = "";
                }
            }
            else
            {
                using var reader = new StreamReader(content, Encoding.UTF8, leaveOpen: true);
                files[Path.GetFileName(name)] = reader.ReadToEnd();
            }
        }
        return files;
    }

    /// <summary>
    /// The uploads as one zip of their CSV files (a zip's entries and loose files alike, folders dropped), copied through
    /// a buffer and never read into strings: a year of attendance is hundreds of megabytes of CSV, a few tens packed. The
    /// bounds hold as for <see cref="ReadFiles"/>, counted on the bytes as they come out (loose files count towards the
    /// unpacked size too); over one, an <see cref="ImportFileException"/> says which. A file that is not a zip is kept as
    /// an empty entry named "(not a zip file)", as <see cref="ReadFiles"/> names it.
    /// </summary>
    public static byte[] Pack(IEnumerable<(string Name, Stream Content)> uploads, ZipBounds? bounds = null)
    {
        bounds ??= ZipBounds.Default;
        // The package is built in a temporary file, then read once into an array of its exact size.
        using var output = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        var buffer = new byte[81920];
        long total = 0;
        using (var package = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in uploads)
            {
                if (!name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                {
                    Copy(content, package, Path.GetFileName(name) is { Length: > 0 } file ? file : "(no name)", name, compressed: null);
                    continue;
                }
                ZipArchive zip;
                try
                {
                    zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
                }
                catch (InvalidDataException)
                {
                    package.CreateEntry($"{name} (not a zip file)");
                    continue;
                }
                using (zip)
                {
                    if (zip.Entries.Count > bounds.MaxEntries)
                        throw new ImportFileException(name, 0, $"holds {zip.Entries.Count:N0} files; a package may hold at most {bounds.MaxEntries:N0}.");
                    foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
                    {
                        try
                        {
                            using var stream = entry.Open();
                            Copy(stream, package, entry.Name, name, entry);
                        }
                        catch (InvalidDataException)
                        {
                            throw new ImportFileException(name, 0, $"{entry.FullName} cannot be unpacked; it was not read.");
                        }
                    }
                }
            }
        }
        var bytes = new byte[output.Length];
        output.Position = 0;
        output.ReadExactly(bytes);
        return bytes;

        void Copy(Stream from, ZipArchive to, string entryName, string uploadName, ZipArchiveEntry? compressed)
        {
            using var target = to.CreateEntry(entryName, CompressionLevel.Fastest).Open();
            long unpacked = 0;
            int read;
            while ((read = from.Read(buffer)) > 0)
            {
                unpacked += read;
                total += read;
                if (total > bounds.MaxUnpackedBytes)
                    throw new ImportFileException(uploadName, 0, compressed is null
                        ? (CoreMessage)$"takes the upload over {bounds.MaxUnpackedBytes / (1024 * 1024):N0} MB of CSV; split it."
                        : (CoreMessage)$"unpacks to more than {bounds.MaxUnpackedBytes / (1024 * 1024):N0} MB; split it, or upload the CSV files themselves.");
                // Real CSV compresses some 4 to 10 times; far more is a zip bomb, whatever its headers claim.
                if (compressed is not null && unpacked > bounds.RatioFreeBytes && unpacked > (long)bounds.MaxRatio * Math.Max(1, compressed.CompressedLength))
                    throw new ImportFileException(uploadName, 0, $"{compressed.FullName} unpacks to more than {bounds.MaxRatio} times its packed size, which no CSV file does; it was not read.");
                target.Write(buffer, 0, read);
            }
        }
    }

    /// <summary>
    /// An opener per file of a package made by <see cref="Pack"/> or <see cref="Zip"/>, by name (without case): each call
    /// reads the entry again from the start, as a stream (UTF-8, a byte order mark dropped).
    /// </summary>
    public static Dictionary<string, Func<TextReader>> Openers(byte[] package)
    {
        var openers = new Dictionary<string, Func<TextReader>>(StringComparer.OrdinalIgnoreCase);
        using var zip = new ZipArchive(new MemoryStream(package, writable: false), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            var index = zip.Entries.IndexOf(entry);
            // The archive over the array holds nothing but memory: each reader has its own, collected with it.
            openers[entry.Name] = () => new StreamReader(new ZipArchive(new MemoryStream(package, writable: false), ZipArchiveMode.Read).Entries[index].Open(), Encoding.UTF8, true, 1 << 16);
        }
        return openers;
    }

    /// <summary>
    /// Unpacks every CSV entry once into nothing, counting, before any is read into memory: so a zip bomb costs a
    /// buffer, not its unpacked size. Returns the CSV entries.
    /// </summary>
    private static List<ZipArchiveEntry> CheckBounds(string zipName, ZipArchive zip, ZipBounds bounds)
    {
        if (zip.Entries.Count > bounds.MaxEntries)
            throw new ImportFileException(zipName, 0, $"holds {zip.Entries.Count:N0} files; a package may hold at most {bounds.MaxEntries:N0}.");
        var csvEntries = zip.Entries.Where(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
        var buffer = new byte[81920];
        long total = 0;
        foreach (var entry in csvEntries)
        {
            long unpacked = 0;
            using var stream = entry.Open();
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                unpacked += read;
                total += read;
                if (total > bounds.MaxUnpackedBytes)
                    throw new ImportFileException(zipName, 0, $"unpacks to more than {bounds.MaxUnpackedBytes / (1024 * 1024):N0} MB; split it, or upload the CSV files themselves.");
                // Real CSV compresses some 4 to 10 times; far more is a zip bomb, whatever its headers claim.
                if (unpacked > bounds.RatioFreeBytes && unpacked > (long)bounds.MaxRatio * Math.Max(1, entry.CompressedLength))
                    throw new ImportFileException(zipName, 0, $"{entry.FullName} unpacks to more than {bounds.MaxRatio} times its packed size, which no CSV file does; it was not read.");
            }
        }
        return csvEntries;
    }

    /// <summary>The CSV files of a folder (read whole, so no file stays open).</summary>
    public static Dictionary<string, string> ReadDirectory(string directory) =>
        System.IO.Directory.EnumerateFiles(directory, "*.csv")
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f, Encoding.UTF8), StringComparer.OrdinalIgnoreCase);

    /// <summary>The files as one zip (UTF-8 without a byte-order mark), as exports and kept uploads are stored.</summary>
    public static byte[] Zip(IReadOnlyDictionary<string, string> files, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name, level).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        return buffer.ToArray();
    }

    /// <summary>The files of a zip made by <see cref="Zip"/>.</summary>
    public static Dictionary<string, string> Unzip(byte[] zip) => ReadFiles([("upload.zip", new MemoryStream(zip))]);
}
