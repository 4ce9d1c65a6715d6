using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
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
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Baseline",
                table: "PlanItems",
                type: "TEXT",
                precision: 9,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "BaselineOn",
                table: "PlanItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Measure",
                table: "PlanItems",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MeasureLabel",
                table: "PlanItems",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Target",
                table: "PlanItems",
                type: "TEXT",
                precision: 9,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "TargetOn",
                table: "PlanItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "GoalPoints",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NeedId = table.Column<int>(type: "INTEGER", nullable: false),
                    On = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Value = table.Column<decimal>(type: "TEXT", precision: 9, scale: 2, nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
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
