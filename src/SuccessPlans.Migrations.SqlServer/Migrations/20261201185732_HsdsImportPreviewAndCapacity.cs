using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class HsdsImportPreviewAndCapacity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CapacityMaximum",
                table: "Services",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CapacityUnit",
                table: "Services",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CapacityUpdatedAt",
                table: "Services",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Address2",
                table: "ServiceLocations",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Country",
                table: "ServiceLocations",
                type: "nvarchar(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DirectoryUploads",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    UploadedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UploadedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    FileNames = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false),
                    Package = table.Column<byte[]>(type: "varbinary(max)", nullable: true),
                    AppliedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Result = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DirectoryUploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DirectoryUploads_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DirectoryUploads_TenantId_UploadedAt",
                table: "DirectoryUploads",
                columns: new[] { "TenantId", "UploadedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DirectoryUploads");

            migrationBuilder.DropColumn(
                name: "CapacityMaximum",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "CapacityUnit",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "CapacityUpdatedAt",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Address2",
                table: "ServiceLocations");

            migrationBuilder.DropColumn(
                name: "Country",
                table: "ServiceLocations");
        }
    }
}
