using Hangfire.SqlServer;
using Microsoft.Extensions.Configuration;
using SuccessPlans.Tests.Model;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Production;

/// <summary>Production creates no schema at start: Hangfire's ships as a script, and creating it is a setting.</summary>
public class HangfireSchemaTests
{
    [Fact]
    public void The_hangfire_script_in_infra_is_the_one_of_the_hangfire_version_used()
    {
        var path = Path.Combine(ModelTests.RepositoryRoot(), "infra", "sql", "hangfire-sqlserver.sql");
        Assert.True(File.Exists(path), "infra/sql/hangfire-sqlserver.sql is missing");
        var expected = SqlServerObjectsInstaller.GetInstallScript(JobsHosting.HangfireSchema, false);
        Assert.Equal(expected.Replace("\r\n", "\n").Trim(), File.ReadAllText(path).Replace("\r\n", "\n").Trim());
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public void Preparing_the_schema_at_start_is_a_setting(string? value, bool expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Jobs:PrepareSchemaIfNecessary"] = value }).Build();
        Assert.Equal(expected, JobsHosting.SqlServerStorage(config).PrepareSchemaIfNecessary);
        Assert.Equal("hangfire", JobsHosting.SqlServerStorage(config).SchemaName);
    }

    [Fact]
    public void The_production_image_turns_it_off()
    {
        var dockerfile = File.ReadAllText(Path.Combine(ModelTests.RepositoryRoot(), "infra", "docker", "Dockerfile"));
        Assert.Contains("Jobs__PrepareSchemaIfNecessary=false", dockerfile);
    }
}
