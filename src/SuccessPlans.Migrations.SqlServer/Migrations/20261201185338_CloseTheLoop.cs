using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class CloseTheLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DigestsSent_TenantId_UserId_On",
                table: "DigestsSent");

            // Outcomes join one vocabulary: the old free-text outcome becomes the note, and the old decline and
            // closing reasons map onto the new codes (a completed referral got help). Runs before the old columns go.
            // Through EXEC: the idempotent script is run again at every release, and SQL Server compiles every batch, the
            // skipped ones too; these name columns this migration drops and renames (error 207; TSqlParseTests).
            migrationBuilder.Sql("EXEC(N'UPDATE Referrals SET AnswerNote = Outcome WHERE AnswerNote IS NULL AND Outcome IS NOT NULL;');");
            migrationBuilder.Sql(@"EXEC(N'UPDATE Referrals SET Outcome = CASE
                WHEN Status = ''Completed'' THEN ''GotHelp''
                WHEN DeclineReason = ''NotEligible'' THEN ''NotEligible''
                WHEN DeclineReason = ''NoCapacity'' THEN ''NoCapacity''
                WHEN DeclineReason = ''Other'' THEN ''CouldNotGetHelp''
                WHEN UnsuccessfulReason = ''CouldNotContact'' THEN ''CouldNotContact''
                WHEN UnsuccessfulReason = ''NoLongerInterested'' THEN ''FamilyDeclined''
                WHEN UnsuccessfulReason = ''Other'' THEN ''CouldNotGetHelp''
                ELSE NULL END;');");

            migrationBuilder.DropColumn(
                name: "DeclineReason",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "UnsuccessfulReason",
                table: "Referrals");

            migrationBuilder.RenameColumn(
                name: "AnswerNote",
                table: "Referrals",
                newName: "OutcomeNote");

            migrationBuilder.AddColumn<bool>(
                name: "HasWaitlist",
                table: "Services",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AlterColumn<string>(
                name: "Outcome",
                table: "Referrals",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(1000)",
                oldMaxLength: 1000,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "DigestsSent",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Flags");

            migrationBuilder.AddColumn<bool>(
                name: "EmailReferralUpdates",
                table: "AspNetUsers",
                type: "bit",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "CaseNotes",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    StudentId = table.Column<int>(type: "int", nullable: false),
                    AuthorUserId = table.Column<int>(type: "int", nullable: true),
                    AuthorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseNotes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseNotes_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CaseNotes_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReferralMessages",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ReferralId = table.Column<int>(type: "int", nullable: false),
                    Side = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    AuthorUserId = table.Column<int>(type: "int", nullable: true),
                    AuthorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReferralMessages_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReferralMessages_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReferralUpdates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    UserId = table.Column<int>(type: "int", nullable: false),
                    ReferralId = table.Column<int>(type: "int", nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    EmailedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralUpdates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReferralUpdates_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReferralUpdates_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReferralUpdates_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_SentByUserId_Status",
                table: "Referrals",
                columns: new[] { "TenantId", "SentByUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_DigestsSent_TenantId_UserId_On_Kind",
                table: "DigestsSent",
                columns: new[] { "TenantId", "UserId", "On", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseNotes_StudentId",
                table: "CaseNotes",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_CaseNotes_TenantId_StudentId_At",
                table: "CaseNotes",
                columns: new[] { "TenantId", "StudentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralMessages_ReferralId",
                table: "ReferralMessages",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralMessages_TenantId_ReferralId_At",
                table: "ReferralMessages",
                columns: new[] { "TenantId", "ReferralId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUpdates_ReferralId",
                table: "ReferralUpdates",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUpdates_TenantId_EmailedAt_UserId",
                table: "ReferralUpdates",
                columns: new[] { "TenantId", "EmailedAt", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUpdates_TenantId_UserId_ReadAt_At",
                table: "ReferralUpdates",
                columns: new[] { "TenantId", "UserId", "ReadAt", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUpdates_UserId",
                table: "ReferralUpdates",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CaseNotes");

            migrationBuilder.DropTable(
                name: "ReferralMessages");

            migrationBuilder.DropTable(
                name: "ReferralUpdates");

            migrationBuilder.DropIndex(
                name: "IX_Referrals_TenantId_SentByUserId_Status",
                table: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_DigestsSent_TenantId_UserId_On_Kind",
                table: "DigestsSent");

            migrationBuilder.DropColumn(
                name: "HasWaitlist",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "DigestsSent");

            migrationBuilder.DropColumn(
                name: "EmailReferralUpdates",
                table: "AspNetUsers");

            migrationBuilder.RenameColumn(
                name: "OutcomeNote",
                table: "Referrals",
                newName: "AnswerNote");

            migrationBuilder.AlterColumn<string>(
                name: "Outcome",
                table: "Referrals",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(32)",
                oldMaxLength: 32,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeclineReason",
                table: "Referrals",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UnsuccessfulReason",
                table: "Referrals",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_DigestsSent_TenantId_UserId_On",
                table: "DigestsSent",
                columns: new[] { "TenantId", "UserId", "On" },
                unique: true);
        }
    }
}
