using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AbandonedUploadRetentionDays",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 7); // existing tenants get the safe default (Tenant.DefaultAbandonedUploadRetentionDays)

            migrationBuilder.CreateTable(
                name: "ErasureRecords",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SubjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ByUserId = table.Column<int>(type: "INTEGER", nullable: true),
                    ByEmail = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasureRecords", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ErasureRecords_TenantId_At",
                table: "ErasureRecords",
                columns: new[] { "TenantId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ErasureRecords");

            migrationBuilder.DropColumn(
                name: "AbandonedUploadRetentionDays",
                table: "Tenants");
        }
    }
}
