using System.IO.Compression;
using System.Text;

namespace SuccessPlans.Csv;

/// <summary>A package of CSV files (OneRoster, HSDS) as uploaded: a zip, or loose files; read into file name -> text.</summary>
public static class CsvPackage
{
    /// <summary>Reads a zip, or loose CSV files, into name -> text (names lower-cased, folders dropped).</summary>
    public static Dictionary<string, string> ReadFiles(IEnumerable<(string Name, Stream Content)> uploads)
    {
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, content) in uploads)
        {
            if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
                    foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
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
