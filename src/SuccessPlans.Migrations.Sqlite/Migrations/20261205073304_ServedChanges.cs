using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ServedChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Notes of the children whose served months changed, which the cabinet's outcomes work out again alone, and a
            // child's delivery rollup rows found by the child (issue 15). No backfill: with no note yet, the outcomes compute all once.
            migrationBuilder.CreateTable(
                name: "ServedChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServedChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServedChanges_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ServedChanges_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Child",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "StudentId", "SchoolYear", "SchoolId", "Domain", "Tier", "MonthsServed" });

            migrationBuilder.CreateIndex(
                name: "IX_ServedChanges_StudentId",
                table: "ServedChanges",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_ServedChanges_TenantId_Id",
                table: "ServedChanges",
                columns: new[] { "TenantId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServedChanges");

            migrationBuilder.DropIndex(
                name: "IX_DeliveryYears_Child",
                table: "DeliveryYears");
        }
    }
}
