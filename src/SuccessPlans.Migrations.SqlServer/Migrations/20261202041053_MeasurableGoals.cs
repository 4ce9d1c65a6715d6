using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MeasurableGoals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "GoalServed",
                table: "Referrals",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Baseline",
                table: "PlanItems",
                type: "decimal(9,2)",
                precision: 9,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "BaselineOn",
                table: "PlanItems",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Measure",
                table: "PlanItems",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MeasureLabel",
                table: "PlanItems",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Target",
                table: "PlanItems",
                type: "decimal(9,2)",
                precision: 9,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "TargetOn",
                table: "PlanItems",
                type: "date",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "GoalPoints",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    NeedId = table.Column<int>(type: "int", nullable: false),
                    On = table.Column<DateOnly>(type: "date", nullable: false),
                    Value = table.Column<decimal>(type: "decimal(9,2)", precision: 9, scale: 2, nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    RecordedBy = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GoalPoints", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GoalPoints_PlanItems_NeedId",
                        column: x => x.NeedId,
                        principalTable: "PlanItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_GoalPoints_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GoalPoints_NeedId",
                table: "GoalPoints",
                column: "NeedId");

            migrationBuilder.CreateIndex(
                name: "IX_GoalPoints_TenantId_NeedId_On",
                table: "GoalPoints",
                columns: new[] { "TenantId", "NeedId", "On" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GoalPoints");

            migrationBuilder.DropColumn(
                name: "GoalServed",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "Baseline",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "BaselineOn",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "Measure",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "MeasureLabel",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "Target",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "TargetOn",
                table: "PlanItems");
        }
    }
}
