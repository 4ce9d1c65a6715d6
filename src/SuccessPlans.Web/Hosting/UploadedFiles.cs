using SuccessPlans.Csv;

namespace SuccessPlans.Web.Hosting;

/// <summary>The files of an import form, read as one CSV package: a zip is unpacked within its bounds, loose CSVs kept by name.</summary>
public static class UploadedFiles
{
    /// <summary>
    /// The package's files, or the message for the form: <paramref name="chooseMessage"/> when nothing was chosen, the
    /// reason when a file cannot be read (a zip over its entry, size or ratio bounds is refused before anything is kept).
    /// </summary>
    public static async Task<(Dictionary<string, string>? Files, string? Error)> ReadAsync(IReadOnlyList<IFormFile> files, string chooseMessage, string refusedPrefix)
    {
        if (files.Count == 0 || files.All(f => f.Length == 0))
            return (null, chooseMessage);
        var streams = files.Select(f => (f.FileName, f.OpenReadStream())).ToList();
        try
        {
            return (CsvPackage.ReadFiles(streams), null);
        }
        catch (ImportFileException e)
        {
            return (null, $"{refusedPrefix} {CoreText.Show(e.Text)}");
        }
        finally
        {
            foreach (var (_, s) in streams) await s.DisposeAsync();
        }
    }

    /// <summary>
    /// The package's files as one zip, copied through a buffer without ever being read into strings (for files of
    /// hundreds of megabytes), or the message for the form, as <see cref="ReadAsync"/> gives it.
    /// </summary>
    public static async Task<(byte[]? Package, string? Error)> PackAsync(IReadOnlyList<IFormFile> files, ZipBounds bounds, string chooseMessage, string refusedPrefix)
    {
        if (files.Count == 0 || files.All(f => f.Length == 0))
            return (null, chooseMessage);
        var streams = files.Select(f => (f.FileName, f.OpenReadStream())).ToList();
        try
        {
            return (CsvPackage.Pack(streams, bounds), null);
        }
        catch (ImportFileException e)
        {
            return (null, $"{refusedPrefix} {CoreText.Show(e.Text)}");
        }
        finally
        {
            foreach (var (_, s) in streams) await s.DisposeAsync();
        }
    }
}
