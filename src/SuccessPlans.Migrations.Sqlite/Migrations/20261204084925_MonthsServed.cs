using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MonthsServed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears");

            migrationBuilder.AddColumn<int>(
                name: "MonthsServed",
                table: "DeliveryYears",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // The months with a service as bits (DeliveryYear.MonthsServed, kept by the app from now on).
            migrationBuilder.Sql("""
                UPDATE "DeliveryYears" SET "MonthsServed" = (("Aug" > 0) << 0) | (("Sep" > 0) << 1) | (("Oct" > 0) << 2) | (("Nov" > 0) << 3) | (("Dec" > 0) << 4) | (("Jan" > 0) << 5) | (("Feb" > 0) << 6) | (("Mar" > 0) << 7) | (("Apr" > 0) << 8) | (("May" > 0) << 9) | (("Jun" > 0) << 10) | (("Jul" > 0) << 11);
                """);

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "SchoolYear", "StudentId", "Domain", "SchoolId", "OrganizationId", "Tier", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "MonthsServed" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears");

            migrationBuilder.DropColumn(
                name: "MonthsServed",
                table: "DeliveryYears");

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "SchoolYear", "StudentId", "Domain", "SchoolId", "OrganizationId", "Tier", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul" });
        }
    }
}
