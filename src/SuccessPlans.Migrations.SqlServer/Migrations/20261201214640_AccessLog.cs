using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UserId = table.Column<int>(type: "int", nullable: true),
                    ActorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    OrganizationId = table.Column<int>(type: "int", nullable: true),
                    Action = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    StudentId = table.Column<int>(type: "int", nullable: true),
                    PlanId = table.Column<int>(type: "int", nullable: true),
                    ReferralId = table.Column<int>(type: "int", nullable: true),
                    Path = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    IpAddress = table.Column<string>(type: "nvarchar(45)", maxLength: 45, nullable: true)
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
            // No delete trigger: retention and tenant erasure remove rows with a set-based DELETE. The trigger is for
            // UPDATE only, so EF's INSERT with OUTPUT stays allowed. In EXEC: CREATE TRIGGER must begin a batch, and the
            // idempotent script puts each migration's statements inside IF NOT EXISTS (...) BEGIN ... END.
            migrationBuilder.Sql("""
                EXEC(N'CREATE TRIGGER [TR_AccessLogEntries_NoUpdate] ON [AccessLogEntries] INSTEAD OF UPDATE
                AS
                BEGIN
                    SET NOCOUNT ON;
                    THROW 51000, ''The access log is append-only: an entry cannot be changed.'', 1;
                END');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS [TR_AccessLogEntries_NoUpdate];");
            migrationBuilder.DropTable(
                name: "AccessLogEntries");
        }
    }
}
