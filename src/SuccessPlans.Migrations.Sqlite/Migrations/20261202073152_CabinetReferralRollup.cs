using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CabinetReferralRollup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FunnelMonths",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    Measure = table.Column<int>(type: "INTEGER", maxLength: 32, nullable: false),
                    MonthNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Days = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FunnelMonths", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FunnelMonths_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FunnelMonths_Dashboard",
                table: "FunnelMonths",
                columns: new[] { "TenantId", "MonthNumber", "Measure", "Days", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FunnelMonths");
        }
    }
}
