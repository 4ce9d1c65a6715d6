using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class CabinetOutcomesVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "OutcomesVersion",
                table: "Tenants",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // The cabinet's outcomes read attendance, school days and the served children's schools besides the delivery
            // rollup: every write of them moves the tenant's version, kept by the database so that set-based writes
            // (imports replacing rows, erasure, retention) count too. The outcomes' cache key holds it (CabinetOutcomes).
            // Through EXEC: CREATE TRIGGER must begin its batch, and the idempotent script puts each step in an IF block.
            foreach (var table in new[] { "AttendanceEvents", "SchoolDays" })
            {
                var trigger = $"""
                    CREATE TRIGGER [TR_{table}_CabinetOutcomes] ON [{table}] AFTER INSERT, UPDATE, DELETE AS
                    BEGIN
                      SET NOCOUNT ON;
                      UPDATE [Tenants] SET [OutcomesVersion] = [OutcomesVersion] + 1
                      WHERE [Id] IN (SELECT [TenantId] FROM inserted UNION SELECT [TenantId] FROM deleted);
                    END;
                    """;
                migrationBuilder.Sql($"EXEC(N'{trigger.Replace("'", "''")}');");
            }
            // A student matters by the school (whose calendar counts the days); a new student has no services yet.
            const string students = """
                CREATE TRIGGER [TR_Students_CabinetOutcomes] ON [Students] AFTER UPDATE, DELETE AS
                BEGIN
                  SET NOCOUNT ON;
                  IF EXISTS (SELECT 1 FROM inserted) AND NOT UPDATE([SchoolId]) RETURN;
                  UPDATE [Tenants] SET [OutcomesVersion] = [OutcomesVersion] + 1
                  WHERE [Id] IN (SELECT d.[TenantId] FROM deleted AS d LEFT JOIN inserted AS i ON i.[Id] = d.[Id]
                                 WHERE i.[Id] IS NULL OR i.[SchoolId] <> d.[SchoolId]);
                END;
                """;
            migrationBuilder.Sql($"EXEC(N'{students.Replace("'", "''")}');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER [TR_AttendanceEvents_CabinetOutcomes];");
            migrationBuilder.Sql("DROP TRIGGER [TR_SchoolDays_CabinetOutcomes];");
            migrationBuilder.Sql("DROP TRIGGER [TR_Students_CabinetOutcomes];");

            migrationBuilder.DropColumn(
                name: "OutcomesVersion",
                table: "Tenants");
        }
    }
}
