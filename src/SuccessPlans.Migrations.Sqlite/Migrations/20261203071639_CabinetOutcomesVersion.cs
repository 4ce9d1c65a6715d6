using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // The cabinet's outcomes read attendance, school days and the served children's schools besides the delivery
            // rollup: every write of them moves the tenant's version, kept by the database so that set-based writes
            // (imports replacing rows, erasure, retention) count too. The outcomes' cache key holds it (CabinetOutcomes).
            foreach (var table in new[] { "AttendanceEvents", "SchoolDays" })
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "TR_{table}_CabinetOutcomes_Insert" AFTER INSERT ON "{table}" BEGIN
                      UPDATE "Tenants" SET "OutcomesVersion" = "OutcomesVersion" + 1 WHERE "Id" = NEW."TenantId";
                    END;
                    CREATE TRIGGER "TR_{table}_CabinetOutcomes_Update" AFTER UPDATE ON "{table}" BEGIN
                      UPDATE "Tenants" SET "OutcomesVersion" = "OutcomesVersion" + 1 WHERE "Id" IN (OLD."TenantId", NEW."TenantId");
                    END;
                    CREATE TRIGGER "TR_{table}_CabinetOutcomes_Delete" AFTER DELETE ON "{table}" BEGIN
                      UPDATE "Tenants" SET "OutcomesVersion" = "OutcomesVersion" + 1 WHERE "Id" = OLD."TenantId";
                    END;
                    """);
            // A student matters by the school (whose calendar counts the days); a new student has no services yet.
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Students_CabinetOutcomes_Update" AFTER UPDATE OF "SchoolId" ON "Students" WHEN OLD."SchoolId" IS NOT NEW."SchoolId" BEGIN
                  UPDATE "Tenants" SET "OutcomesVersion" = "OutcomesVersion" + 1 WHERE "Id" = NEW."TenantId";
                END;
                CREATE TRIGGER "TR_Students_CabinetOutcomes_Delete" AFTER DELETE ON "Students" BEGIN
                  UPDATE "Tenants" SET "OutcomesVersion" = "OutcomesVersion" + 1 WHERE "Id" = OLD."TenantId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "AttendanceEvents_CabinetOutcomes_Insert", "AttendanceEvents_CabinetOutcomes_Update", "AttendanceEvents_CabinetOutcomes_Delete",
                         "SchoolDays_CabinetOutcomes_Insert", "SchoolDays_CabinetOutcomes_Update", "SchoolDays_CabinetOutcomes_Delete",
                         "Students_CabinetOutcomes_Update", "Students_CabinetOutcomes_Delete" })
                migrationBuilder.Sql($"DROP TRIGGER \"TR_{trigger}\";");

            migrationBuilder.DropColumn(
                name: "OutcomesVersion",
                table: "Tenants");
        }
    }
}
