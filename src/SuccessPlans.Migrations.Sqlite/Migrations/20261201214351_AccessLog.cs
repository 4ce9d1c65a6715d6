using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AccessLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessLogEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UserId = table.Column<int>(type: "INTEGER", nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OrganizationId = table.Column<int>(type: "INTEGER", nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: true),
                    PlanId = table.Column<int>(type: "INTEGER", nullable: true),
                    ReferralId = table.Column<int>(type: "INTEGER", nullable: true),
                    Path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    IpAddress = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessLogEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessLogEntries_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLogEntries_TenantId_At",
                table: "AccessLogEntries",
                columns: new[] { "TenantId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLogEntries_TenantId_StudentId_At",
                table: "AccessLogEntries",
                columns: new[] { "TenantId", "StudentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLogEntries_TenantId_UserId_At",
                table: "AccessLogEntries",
                columns: new[] { "TenantId", "UserId", "At" });

            // The access log is append-only (docs/access-log.md): the database itself refuses to change an entry.
            // No delete trigger: retention and tenant erasure remove rows with a set-based DELETE.
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_AccessLogEntries_NoUpdate" BEFORE UPDATE ON "AccessLogEntries"
                BEGIN
                    SELECT RAISE(ABORT, 'The access log is append-only: an entry cannot be changed.');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"TR_AccessLogEntries_NoUpdate\";");
            migrationBuilder.DropTable(
                name: "AccessLogEntries");
        }
    }
}
