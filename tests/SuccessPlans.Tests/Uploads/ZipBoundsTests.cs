using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Csv;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Uploads;

/// <summary>
/// Uploaded zips are read within bounds: entry count, unpacked size and compression ratio, each refused with a
/// message saying which, on a zip made in the test the way an attacker would make it.
/// </summary>
public class ZipBoundsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("successplans-zips-").FullName;
    private int _tenant;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("zips")).Id;
        await _app.CreateUserAsync(_tenant, "admin@zips.test", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One entry of <paramref name="bytes"/> zeros, streamed into the archive: never in memory.</summary>
    private string Bomb(long bytes)
    {
        var path = Path.Combine(_folder, $"bomb-{bytes}.zip");
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using var entry = zip.CreateEntry("users.csv", CompressionLevel.SmallestSize).Open();
        var zeros = new byte[1024 * 1024];
        for (long written = 0; written < bytes; written += zeros.Length)
            entry.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
        return path;
    }

    private static byte[] Zip(IEnumerable<(string Name, string Text)> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
            {
                using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
                w.Write(text);
            }
        return buffer.ToArray();
    }

    private static ImportFileException Refused(Stream zip, ZipBounds? bounds = null) =>
        Assert.Throws<ImportFileException>(() => CsvPackage.ReadFiles([("upload.zip", zip)], bounds));

    [Fact]
    public void A_zip_bomb_of_a_gigabyte_is_refused_and_memory_stays_flat()
    {
        var path = Bomb(1024L * 1024 * 1024);
        Assert.True(new FileInfo(path).Length < 5 * 1024 * 1024); // a few MB on disk
        using var file = File.OpenRead(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var refused = Refused(file);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Contains("users.csv unpacks to more than 100 times its packed size", refused.Message);
        // Read whole, a gigabyte of zeros is two gigabytes of text; refused, it costs a buffer or two.
        Assert.True(allocated < 16 * 1024 * 1024, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void A_zip_of_a_hundred_thousand_entries_is_refused()
    {
        var path = Path.Combine(_folder, "many.zip");
        using (var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
            for (var i = 0; i < 100_000; i++)
                zip.CreateEntry($"f{i}.csv", CompressionLevel.NoCompression);
        using var file = File.OpenRead(path);
        // Numbers in messages follow the culture of the request that shows them (here the suite's server culture).
        Assert.Contains($"holds {100_000:N0} files; a package may hold at most {1_000:N0}", Refused(file).Message);
    }

    [Fact]
    public void Unpacked_size_is_counted_across_entries_and_not_taken_from_the_headers()
    {
        // Ordinary CSV, compressed a few times, over a small bound only once all its entries are added up.
        var row = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i},{Guid.NewGuid()},Name {i}\n"));
        var zip = Zip(Enumerable.Range(0, 4).Select(i => ($"part{i}.csv", row)));
        var bounds = ZipBounds.Default with { MaxUnpackedBytes = 3L * Encoding.UTF8.GetByteCount(row) };
        Assert.Contains("unpacks to more than", Refused(new MemoryStream(zip), bounds).Message);
        Assert.Equal(4, CsvPackage.ReadFiles([("upload.zip", new MemoryStream(zip))], ZipBounds.Default with { MaxUnpackedBytes = 5L * Encoding.UTF8.GetByteCount(row) }).Count);

        // Headers that claim a tiny entry let no more out than they claim (the decompressor stops there too).
        var lying = Zip([("users.csv", new string('a', 4 * 1024 * 1024))]);
        Assert.Contains("unpacks to more than 100 times", Refused(new MemoryStream(lying)).Message);
        SetDeclaredSizes(lying, 10);
        Assert.All(CsvPackage.ReadFiles([("upload.zip", new MemoryStream(lying))]).Values, text => Assert.True(text.Length <= 10));
    }

    /// <summary>Writes a false uncompressed size into every local and central header.</summary>
    private static void SetDeclaredSizes(byte[] zip, uint size)
    {
        for (var i = 0; i + 4 <= zip.Length; i++)
        {
            var signature = BitConverter.ToUInt32(zip, i);
            if (signature == 0x04034b50) BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size); // local file header
            if (signature == 0x02014b50) BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size); // central directory
        }
    }

    [Fact]
    public async Task The_roster_and_directory_pages_refuse_a_bomb_with_a_clear_message_and_keep_nothing()
    {
        var bomb = await File.ReadAllBytesAsync(Bomb(256L * 1024 * 1024));
        var admin = await _app.SignedInAsync("admin@zips.test");
        foreach (var (page, handler) in new[] { ("/Roster/Import", "Upload"), ("/Directory/Import", "Upload") })
        {
            var document = await admin.GetDocumentAsync(page);
            var token = document.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(bomb), "files", "roster.zip" } };
            var response = await admin.PostAsync($"{page}?handler={handler}", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var alert = (await Forms.ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent;
            Assert.Contains("roster.zip: users.csv unpacks to more than 100 times its packed size", alert);
        }
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.RosterUploads.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.DirectoryUploads.CountAsync()));
    }
}
