IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Tenants] (
        [Id] int NOT NULL IDENTITY,
        [Name] nvarchar(200) NOT NULL,
        [Slug] nvarchar(64) NOT NULL,
        [TimeZoneId] nvarchar(64) NOT NULL,
        [SuppressionThreshold] int NOT NULL,
        [UnmetNeedDays] int NOT NULL,
        [NoResponseDays] int NOT NULL,
        [StalledDays] int NOT NULL,
        [ReferralExpiryDays] int NOT NULL,
        [NightlyHour] int NOT NULL,
        [NotificationRetentionDays] int NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Tenants] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [DigestsSent] (
        [Id] int NOT NULL IDENTITY,
        [UserId] int NOT NULL,
        [On] date NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_DigestsSent] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_DigestsSent_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [JobRuns] (
        [Id] int NOT NULL IDENTITY,
        [JobName] nvarchar(64) NOT NULL,
        [StartedAt] datetime2 NOT NULL,
        [FinishedAt] datetime2 NULL,
        [Status] nvarchar(32) NOT NULL,
        [Summary] nvarchar(1000) NULL,
        [Error] nvarchar(2000) NULL,
        [TriggeredBy] nvarchar(256) NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_JobRuns] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_JobRuns_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Notifications] (
        [Id] int NOT NULL IDENTITY,
        [Kind] nvarchar(64) NOT NULL,
        [RecipientEmail] nvarchar(256) NOT NULL,
        [RecipientName] nvarchar(200) NULL,
        [RecipientUserId] int NULL,
        [Subject] nvarchar(300) NOT NULL,
        [BodyText] nvarchar(max) NOT NULL,
        [BodyHtml] nvarchar(max) NULL,
        [Status] nvarchar(32) NOT NULL,
        [Attempts] int NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        [NextAttemptAt] datetime2 NOT NULL,
        [LockedUntil] datetime2 NULL,
        [SentAt] datetime2 NULL,
        [LastError] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Notifications] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Notifications_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ProviderOrganizations] (
        [Id] int NOT NULL IDENTITY,
        [HsdsId] nvarchar(128) NULL,
        [Name] nvarchar(200) NOT NULL,
        [Description] nvarchar(max) NULL,
        [Email] nvarchar(256) NULL,
        [Website] nvarchar(500) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ProviderOrganizations] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ProviderOrganizations_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [RosterUploads] (
        [Id] int NOT NULL IDENTITY,
        [UploadedAt] datetime2 NOT NULL,
        [UploadedByName] nvarchar(200) NOT NULL,
        [FileNames] nvarchar(1000) NOT NULL,
        [Package] varbinary(max) NULL,
        [AppliedAt] datetime2 NULL,
        [Result] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_RosterUploads] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_RosterUploads_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Schools] (
        [Id] int NOT NULL IDENTITY,
        [Name] nvarchar(200) NOT NULL,
        [ExternalId] nvarchar(128) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Schools] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Schools_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ApiKeys] (
        [Id] int NOT NULL IDENTITY,
        [OrganizationId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Prefix] nvarchar(12) NOT NULL,
        [SecretHash] nvarchar(64) NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        [CreatedByName] nvarchar(200) NOT NULL,
        [RevokedAt] datetime2 NULL,
        [LastUsedAt] datetime2 NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ApiKeys] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ApiKeys_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ApiKeys_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [AspNetUsers] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NULL,
        [Role] nvarchar(32) NOT NULL,
        [DisplayName] nvarchar(200) NOT NULL,
        [ProviderOrganizationId] int NULL,
        [CreatedAt] datetime2 NOT NULL,
        [ActivatedAt] datetime2 NULL,
        [UserName] nvarchar(256) NULL,
        [NormalizedUserName] nvarchar(256) NULL,
        [Email] nvarchar(256) NULL,
        [NormalizedEmail] nvarchar(256) NULL,
        [EmailConfirmed] bit NOT NULL,
        [PasswordHash] nvarchar(max) NULL,
        [SecurityStamp] nvarchar(max) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        [PhoneNumber] nvarchar(max) NULL,
        [PhoneNumberConfirmed] bit NOT NULL,
        [TwoFactorEnabled] bit NOT NULL,
        [LockoutEnd] datetimeoffset NULL,
        [LockoutEnabled] bit NOT NULL,
        [AccessFailedCount] int NOT NULL,
        CONSTRAINT [PK_AspNetUsers] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetUsers_ProviderOrganizations_ProviderOrganizationId] FOREIGN KEY ([ProviderOrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_AspNetUsers_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ServiceLocations] (
        [Id] int NOT NULL IDENTITY,
        [OrganizationId] int NULL,
        [HsdsId] nvarchar(128) NULL,
        [Name] nvarchar(200) NOT NULL,
        [Address1] nvarchar(200) NULL,
        [City] nvarchar(100) NULL,
        [Region] nvarchar(100) NULL,
        [PostalCode] nvarchar(20) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ServiceLocations] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ServiceLocations_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]),
        CONSTRAINT [FK_ServiceLocations_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Services] (
        [Id] int NOT NULL IDENTITY,
        [OrganizationId] int NOT NULL,
        [HsdsId] nvarchar(128) NULL,
        [Name] nvarchar(200) NOT NULL,
        [Description] nvarchar(max) NULL,
        [Status] nvarchar(32) NOT NULL,
        [EligibilityDescription] nvarchar(max) NULL,
        [MinimumAge] int NULL,
        [MaximumAge] int NULL,
        [Domain] nvarchar(32) NULL,
        [Tier] nvarchar(32) NULL,
        [Capacity] int NULL,
        [Languages] nvarchar(200) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Services] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Services_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Services_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Classes] (
        [Id] int NOT NULL IDENTITY,
        [SchoolId] int NOT NULL,
        [ExternalId] nvarchar(128) NOT NULL,
        [Title] nvarchar(200) NOT NULL,
        [Grade] nvarchar(8) NULL,
        [TeacherName] nvarchar(200) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Classes] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Classes_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Classes_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Students] (
        [Id] int NOT NULL IDENTITY,
        [SchoolId] int NOT NULL,
        [ExternalId] nvarchar(128) NULL,
        [LocalId] nvarchar(64) NULL,
        [GivenName] nvarchar(100) NOT NULL,
        [FamilyName] nvarchar(100) NOT NULL,
        [BirthDate] date NULL,
        [Grade] nvarchar(8) NULL,
        [HomeLanguage] nvarchar(35) NULL,
        [GuardianName] nvarchar(200) NULL,
        [GuardianEmail] nvarchar(256) NULL,
        [GuardianPhone] nvarchar(40) NULL,
        [Status] nvarchar(32) NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Students] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Students_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Students_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserClaims] (
        [Id] int NOT NULL IDENTITY,
        [UserId] int NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetUserClaims_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserLogins] (
        [LoginProvider] nvarchar(128) NOT NULL,
        [ProviderKey] nvarchar(128) NOT NULL,
        [ProviderDisplayName] nvarchar(max) NULL,
        [UserId] int NOT NULL,
        CONSTRAINT [PK_AspNetUserLogins] PRIMARY KEY ([LoginProvider], [ProviderKey]),
        CONSTRAINT [FK_AspNetUserLogins_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserTokens] (
        [UserId] int NOT NULL,
        [LoginProvider] nvarchar(128) NOT NULL,
        [Name] nvarchar(128) NOT NULL,
        [Value] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserTokens] PRIMARY KEY ([UserId], [LoginProvider], [Name]),
        CONSTRAINT [FK_AspNetUserTokens_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [CoordinatorSchools] (
        [UserId] int NOT NULL,
        [SchoolId] int NOT NULL,
        [TenantId] int NOT NULL,
        CONSTRAINT [PK_CoordinatorSchools] PRIMARY KEY ([UserId], [SchoolId]),
        CONSTRAINT [FK_CoordinatorSchools_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_CoordinatorSchools_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_CoordinatorSchools_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ServicesAtLocations] (
        [ServiceId] int NOT NULL,
        [LocationId] int NOT NULL,
        [TenantId] int NOT NULL,
        CONSTRAINT [PK_ServicesAtLocations] PRIMARY KEY ([ServiceId], [LocationId]),
        CONSTRAINT [FK_ServicesAtLocations_ServiceLocations_LocationId] FOREIGN KEY ([LocationId]) REFERENCES [ServiceLocations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ServicesAtLocations_Services_ServiceId] FOREIGN KEY ([ServiceId]) REFERENCES [Services] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_ServicesAtLocations_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ServiceTerms] (
        [ServiceId] int NOT NULL,
        [TermHsdsId] nvarchar(128) NOT NULL,
        [TenantId] int NOT NULL,
        [Code] nvarchar(100) NULL,
        [Name] nvarchar(200) NOT NULL,
        [Taxonomy] nvarchar(200) NULL,
        CONSTRAINT [PK_ServiceTerms] PRIMARY KEY ([ServiceId], [TermHsdsId]),
        CONSTRAINT [FK_ServiceTerms_Services_ServiceId] FOREIGN KEY ([ServiceId]) REFERENCES [Services] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_ServiceTerms_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ClassEnrollments] (
        [ClassId] int NOT NULL,
        [StudentId] int NOT NULL,
        [TenantId] int NOT NULL,
        CONSTRAINT [PK_ClassEnrollments] PRIMARY KEY ([ClassId], [StudentId]),
        CONSTRAINT [FK_ClassEnrollments_Classes_ClassId] FOREIGN KEY ([ClassId]) REFERENCES [Classes] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_ClassEnrollments_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ClassEnrollments_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Consents] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [GuardianName] nvarchar(200) NOT NULL,
        [GivenOn] date NOT NULL,
        [CoversServices] bit NOT NULL,
        [SharesWithAnyPartner] bit NOT NULL,
        [ExpiresOn] date NULL,
        [RevokedOn] date NULL,
        [RevokedReason] nvarchar(1000) NULL,
        [RecordedByUserId] int NULL,
        [RecordedByName] nvarchar(200) NOT NULL,
        [RecordedAt] datetime2 NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Consents] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Consents_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Consents_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Flags] (
        [Id] int NOT NULL IDENTITY,
        [Kind] nvarchar(32) NOT NULL,
        [SubjectId] int NOT NULL,
        [StudentId] int NOT NULL,
        [FirstSeenOn] date NOT NULL,
        [ResolvedAt] datetime2 NULL,
        [DismissedAt] datetime2 NULL,
        [DismissedByName] nvarchar(200) NULL,
        [DismissReason] nvarchar(1000) NULL,
        [Summary] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Flags] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Flags_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Flags_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Plans] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [SchoolYear] int NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [Tier] int NOT NULL,
        [NextReviewDue] date NULL,
        [CreatedAt] datetime2 NOT NULL,
        [UpdatedAt] datetime2 NOT NULL,
        [ClosedAt] datetime2 NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Plans] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Plans_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Plans_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Reviews] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [SchoolYear] int NOT NULL,
        [Term] nvarchar(32) NOT NULL,
        [Tier] int NOT NULL,
        [ReviewerUserId] int NULL,
        [ReviewerName] nvarchar(200) NOT NULL,
        [ReviewedOn] date NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Reviews] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Reviews_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Reviews_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [StudentEvents] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [At] datetime2 NOT NULL,
        [UserId] int NULL,
        [UserName] nvarchar(200) NOT NULL,
        [Action] nvarchar(64) NOT NULL,
        [Details] nvarchar(2000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_StudentEvents] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_StudentEvents_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_StudentEvents_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ConsentOrganizations] (
        [ConsentId] int NOT NULL,
        [OrganizationId] int NOT NULL,
        [TenantId] int NOT NULL,
        CONSTRAINT [PK_ConsentOrganizations] PRIMARY KEY ([ConsentId], [OrganizationId]),
        CONSTRAINT [FK_ConsentOrganizations_Consents_ConsentId] FOREIGN KEY ([ConsentId]) REFERENCES [Consents] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_ConsentOrganizations_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ConsentOrganizations_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [PlanItems] (
        [Id] int NOT NULL IDENTITY,
        [PlanId] int NOT NULL,
        [Domain] nvarchar(32) NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Description] nvarchar(1000) NOT NULL,
        [Goal] nvarchar(1000) NULL,
        [Priority] nvarchar(32) NULL,
        [Status] nvarchar(32) NULL,
        [IdentifiedOn] date NULL,
        [ResolvedOn] date NULL,
        [CreatedAt] datetime2 NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_PlanItems] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_PlanItems_Plans_PlanId] FOREIGN KEY ([PlanId]) REFERENCES [Plans] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_PlanItems_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Referrals] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [NeedId] int NOT NULL,
        [ServiceId] int NOT NULL,
        [OrganizationId] int NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [SentByUserId] int NULL,
        [SentByName] nvarchar(200) NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        [SentAt] datetime2 NULL,
        [AnsweredAt] datetime2 NULL,
        [FirstServiceAt] datetime2 NULL,
        [ClosedAt] datetime2 NULL,
        [SharedChildName] nvarchar(200) NULL,
        [SharedGrade] nvarchar(8) NULL,
        [SharedSchool] nvarchar(200) NULL,
        [SharedGuardianName] nvarchar(200) NULL,
        [SharedGuardianContact] nvarchar(300) NULL,
        [SharedNeed] nvarchar(1000) NULL,
        [ConsentId] int NULL,
        [OverrideReason] nvarchar(1000) NULL,
        [DeclineReason] nvarchar(32) NULL,
        [UnsuccessfulReason] nvarchar(32) NULL,
        [AnswerNote] nvarchar(1000) NULL,
        [Outcome] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Referrals] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Referrals_PlanItems_NeedId] FOREIGN KEY ([NeedId]) REFERENCES [PlanItems] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Referrals_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Referrals_Services_ServiceId] FOREIGN KEY ([ServiceId]) REFERENCES [Services] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Referrals_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Referrals_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [Disclosures] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [OrganizationId] int NOT NULL,
        [ReferralId] int NULL,
        [FieldsShared] nvarchar(500) NOT NULL,
        [ConsentId] int NULL,
        [OverrideReason] nvarchar(1000) NULL,
        [At] datetime2 NOT NULL,
        [ByUserId] int NULL,
        [ByName] nvarchar(200) NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_Disclosures] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Disclosures_ProviderOrganizations_OrganizationId] FOREIGN KEY ([OrganizationId]) REFERENCES [ProviderOrganizations] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Disclosures_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]),
        CONSTRAINT [FK_Disclosures_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Disclosures_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ReferralEvents] (
        [Id] int NOT NULL IDENTITY,
        [ReferralId] int NOT NULL,
        [From] nvarchar(32) NULL,
        [To] nvarchar(32) NOT NULL,
        [At] datetime2 NOT NULL,
        [UserId] int NULL,
        [UserName] nvarchar(200) NOT NULL,
        [Note] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ReferralEvents] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ReferralEvents_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ReferralEvents_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE TABLE [ServiceDeliveries] (
        [Id] int NOT NULL IDENTITY,
        [ReferralId] int NOT NULL,
        [DeliveredOn] date NOT NULL,
        [Amount] int NOT NULL,
        [Unit] nvarchar(32) NOT NULL,
        [DeliveredBy] nvarchar(200) NOT NULL,
        [Note] nvarchar(1000) NULL,
        [RecordedAt] datetime2 NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ServiceDeliveries] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ServiceDeliveries_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ServiceDeliveries_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ApiKeys_OrganizationId] ON [ApiKeys] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ApiKeys_TenantId_OrganizationId] ON [ApiKeys] ([TenantId], [OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ApiKeys_TenantId_Prefix] ON [ApiKeys] ([TenantId], [Prefix]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserClaims_UserId] ON [AspNetUserClaims] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserLogins_UserId] ON [AspNetUserLogins] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [EmailIndex] ON [AspNetUsers] ([NormalizedEmail]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUsers_ProviderOrganizationId] ON [AspNetUsers] ([ProviderOrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUsers_TenantId_Role_DisplayName] ON [AspNetUsers] ([TenantId], [Role], [DisplayName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [UserNameIndex] ON [AspNetUsers] ([NormalizedUserName]) WHERE [NormalizedUserName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ClassEnrollments_StudentId] ON [ClassEnrollments] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ClassEnrollments_TenantId_StudentId] ON [ClassEnrollments] ([TenantId], [StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Classes_SchoolId] ON [Classes] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Classes_TenantId_ExternalId] ON [Classes] ([TenantId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Classes_TenantId_SchoolId_Title] ON [Classes] ([TenantId], [SchoolId], [Title]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ConsentOrganizations_OrganizationId] ON [ConsentOrganizations] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ConsentOrganizations_TenantId_OrganizationId] ON [ConsentOrganizations] ([TenantId], [OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Consents_StudentId] ON [Consents] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Consents_TenantId_StudentId_GivenOn] ON [Consents] ([TenantId], [StudentId], [GivenOn]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_CoordinatorSchools_SchoolId] ON [CoordinatorSchools] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_CoordinatorSchools_TenantId_SchoolId] ON [CoordinatorSchools] ([TenantId], [SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_DigestsSent_TenantId_UserId_On] ON [DigestsSent] ([TenantId], [UserId], [On]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Disclosures_OrganizationId] ON [Disclosures] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Disclosures_ReferralId] ON [Disclosures] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Disclosures_StudentId] ON [Disclosures] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Disclosures_TenantId_StudentId_At] ON [Disclosures] ([TenantId], [StudentId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Flags_StudentId] ON [Flags] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Flags_TenantId_Kind_SubjectId] ON [Flags] ([TenantId], [Kind], [SubjectId]) WHERE [ResolvedAt] IS NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Flags_TenantId_ResolvedAt_Kind] ON [Flags] ([TenantId], [ResolvedAt], [Kind]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Flags_TenantId_StudentId_ResolvedAt] ON [Flags] ([TenantId], [StudentId], [ResolvedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_JobRuns_TenantId_JobName_StartedAt] ON [JobRuns] ([TenantId], [JobName], [StartedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_JobRuns_TenantId_StartedAt] ON [JobRuns] ([TenantId], [StartedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Notifications_TenantId_CreatedAt] ON [Notifications] ([TenantId], [CreatedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Notifications_TenantId_Status_NextAttemptAt] ON [Notifications] ([TenantId], [Status], [NextAttemptAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_PlanItems_PlanId] ON [PlanItems] ([PlanId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_PlanItems_TenantId_Kind_Status_IdentifiedOn] ON [PlanItems] ([TenantId], [Kind], [Status], [IdentifiedOn]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_PlanItems_TenantId_PlanId_Domain] ON [PlanItems] ([TenantId], [PlanId], [Domain]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Plans_StudentId] ON [Plans] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Plans_TenantId_SchoolYear_Status_Tier] ON [Plans] ([TenantId], [SchoolYear], [Status], [Tier]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Plans_TenantId_Status_NextReviewDue] ON [Plans] ([TenantId], [Status], [NextReviewDue]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Plans_TenantId_StudentId_SchoolYear] ON [Plans] ([TenantId], [StudentId], [SchoolYear]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_ProviderOrganizations_TenantId_HsdsId] ON [ProviderOrganizations] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ProviderOrganizations_TenantId_Name] ON [ProviderOrganizations] ([TenantId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ReferralEvents_ReferralId] ON [ReferralEvents] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ReferralEvents_TenantId_ReferralId_At] ON [ReferralEvents] ([TenantId], [ReferralId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_NeedId] ON [Referrals] ([NeedId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_OrganizationId] ON [Referrals] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_ServiceId] ON [Referrals] ([ServiceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_StudentId] ON [Referrals] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_NeedId_Status] ON [Referrals] ([TenantId], [NeedId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_OrganizationId_Status_SentAt] ON [Referrals] ([TenantId], [OrganizationId], [Status], [SentAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_StudentId_CreatedAt] ON [Referrals] ([TenantId], [StudentId], [CreatedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Reviews_StudentId] ON [Reviews] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Reviews_TenantId_StudentId_SchoolYear_Term] ON [Reviews] ([TenantId], [StudentId], [SchoolYear], [Term]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_RosterUploads_TenantId_UploadedAt] ON [RosterUploads] ([TenantId], [UploadedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Schools_TenantId_ExternalId] ON [Schools] ([TenantId], [ExternalId]) WHERE [ExternalId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Schools_TenantId_Name] ON [Schools] ([TenantId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServiceDeliveries_ReferralId] ON [ServiceDeliveries] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServiceDeliveries_TenantId_DeliveredOn] ON [ServiceDeliveries] ([TenantId], [DeliveredOn]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServiceDeliveries_TenantId_ReferralId_DeliveredOn] ON [ServiceDeliveries] ([TenantId], [ReferralId], [DeliveredOn]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServiceLocations_OrganizationId] ON [ServiceLocations] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_ServiceLocations_TenantId_HsdsId] ON [ServiceLocations] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Services_OrganizationId] ON [Services] ([OrganizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Services_TenantId_Domain_Status] ON [Services] ([TenantId], [Domain], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Services_TenantId_HsdsId] ON [Services] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Services_TenantId_OrganizationId_Name] ON [Services] ([TenantId], [OrganizationId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServicesAtLocations_LocationId] ON [ServicesAtLocations] ([LocationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServicesAtLocations_TenantId_LocationId] ON [ServicesAtLocations] ([TenantId], [LocationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_ServiceTerms_TenantId_Code] ON [ServiceTerms] ([TenantId], [Code]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_StudentEvents_StudentId] ON [StudentEvents] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_StudentEvents_TenantId_StudentId_At] ON [StudentEvents] ([TenantId], [StudentId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Students_SchoolId] ON [Students] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Students_TenantId_ExternalId] ON [Students] ([TenantId], [ExternalId]) WHERE [ExternalId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Students_TenantId_FamilyName_GivenName] ON [Students] ([TenantId], [FamilyName], [GivenName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE INDEX [IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName] ON [Students] ([TenantId], [SchoolId], [Grade], [FamilyName], [GivenName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Tenants_Slug] ON [Tenants] ([Slug]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122212603_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261122212603_Initial', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    DROP INDEX [IX_ServiceDeliveries_TenantId_DeliveredOn] ON [ServiceDeliveries];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    ALTER TABLE [Referrals] ADD [DaysToFirstService] int NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    ALTER TABLE [Referrals] ADD [Domain] nvarchar(32) NOT NULL DEFAULT N'';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    ALTER TABLE [Referrals] ADD [FirstServiceOn] date NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    ALTER TABLE [Referrals] ADD [SchoolId] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    ALTER TABLE [Referrals] ADD [Tier] nvarchar(32) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE TABLE [DeliveryYears] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [ReferralId] int NOT NULL,
        [SchoolYear] int NOT NULL,
        [StudentId] int NOT NULL,
        [SchoolId] int NOT NULL,
        [OrganizationId] int NOT NULL,
        [Domain] int NOT NULL,
        [Tier] int NULL,
        [Aug] int NOT NULL,
        [Sep] int NOT NULL,
        [Oct] int NOT NULL,
        [Nov] int NOT NULL,
        [Dec] int NOT NULL,
        [Jan] int NOT NULL,
        [Feb] int NOT NULL,
        [Mar] int NOT NULL,
        [Apr] int NOT NULL,
        [May] int NOT NULL,
        [Jun] int NOT NULL,
        [Jul] int NOT NULL,
        CONSTRAINT [PK_DeliveryYears] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_DeliveryYears_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_DeliveryYears_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_ServiceDeliveries_TenantId_DeliveredOn_ReferralId] ON [ServiceDeliveries] ([TenantId], [DeliveredOn], [ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_FirstServiceOn_DaysToFirstService_StudentId] ON [Referrals] ([TenantId], [FirstServiceOn], [DaysToFirstService], [StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_SentAt_StudentId_Status_AnsweredAt] ON [Referrals] ([TenantId], [SentAt], [StudentId], [Status], [AnsweredAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_PlanItems_TenantId_Kind_Status_ResolvedOn_PlanId] ON [PlanItems] ([TenantId], [Kind], [Status], [ResolvedOn], [PlanId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_DeliveryYears_Dashboard] ON [DeliveryYears] ([TenantId], [SchoolYear], [StudentId], [Domain], [SchoolId], [OrganizationId], [Tier], [Aug], [Sep], [Oct], [Nov], [Dec], [Jan], [Feb], [Mar], [Apr], [May], [Jun], [Jul]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE INDEX [IX_DeliveryYears_ReferralId] ON [DeliveryYears] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    CREATE UNIQUE INDEX [IX_DeliveryYears_TenantId_ReferralId_SchoolYear] ON [DeliveryYears] ([TenantId], [ReferralId], [SchoolYear]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230425_CabinetDashboard'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261122230425_CabinetDashboard', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230512_CabinetBackfill'
)
BEGIN
    EXEC(N'
    UPDATE Referrals SET
      SchoolId = (SELECT s.SchoolId FROM Students s WHERE s.Id = Referrals.StudentId),
      Domain = (SELECT i.Domain FROM PlanItems i WHERE i.Id = Referrals.NeedId),
      Tier = (SELECT v.Tier FROM Services v WHERE v.Id = Referrals.ServiceId),
      FirstServiceOn = (SELECT MIN(d.DeliveredOn) FROM ServiceDeliveries d WHERE d.ReferralId = Referrals.Id);
    ')
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230512_CabinetBackfill'
)
BEGIN
    EXEC(N'
    UPDATE Referrals SET DaysToFirstService = CASE WHEN FirstServiceOn < CAST(SentAt AS date) THEN 0 ELSE DATEDIFF(day, CAST(SentAt AS date), FirstServiceOn) END WHERE FirstServiceOn IS NOT NULL AND SentAt IS NOT NULL;
    ')
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230512_CabinetBackfill'
)
BEGIN
    EXEC(N'
    INSERT INTO DeliveryYears (TenantId, ReferralId, SchoolYear, StudentId, SchoolId, OrganizationId, Domain, Tier, Aug, Sep, Oct, Nov, Dec, Jan, Feb, Mar, Apr, May, Jun, Jul)
    SELECT r.TenantId, r.Id, d.SchoolYear, r.StudentId, r.SchoolId, r.OrganizationId,
      CASE r.Domain WHEN ''Academic'' THEN 0 WHEN ''SocialEmotionalBehavioral'' THEN 1 WHEN ''Health'' THEN 2 ELSE 3 END,
      CASE r.Tier WHEN ''PreventionEnrichment'' THEN 0 WHEN ''EarlyIntervention'' THEN 1 WHEN ''IntensiveCrisis'' THEN 2 END,
      SUM(CASE WHEN d.M = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 10 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 11 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 6 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 7 THEN 1 ELSE 0 END)
    FROM (SELECT ReferralId, MONTH(DeliveredOn) AS M, YEAR(DeliveredOn) - (CASE WHEN MONTH(DeliveredOn) >= 8 THEN 0 ELSE 1 END) AS SchoolYear FROM ServiceDeliveries) d
    JOIN Referrals r ON r.Id = d.ReferralId
    GROUP BY r.TenantId, r.Id, d.SchoolYear, r.StudentId, r.SchoolId, r.OrganizationId, r.Domain, r.Tier;
    ')
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261122230512_CabinetBackfill'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261122230512_CabinetBackfill', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201184954_DataProtectionKeys'
)
BEGIN
    CREATE TABLE [DataProtectionKeys] (
        [Id] int NOT NULL IDENTITY,
        [FriendlyName] nvarchar(max) NULL,
        [Xml] nvarchar(max) NULL,
        CONSTRAINT [PK_DataProtectionKeys] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201184954_DataProtectionKeys'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201184954_DataProtectionKeys', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_Tenants_Slug] ON [Tenants];
    DECLARE @var nvarchar(max);
    SELECT @var = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Tenants]') AND [c].[name] = N'Slug');
    IF @var IS NOT NULL EXEC(N'ALTER TABLE [Tenants] DROP CONSTRAINT ' + @var + ';');
    ALTER TABLE [Tenants] ALTER COLUMN [Slug] nvarchar(64) COLLATE Latin1_General_100_CI_AS NOT NULL;
    CREATE UNIQUE INDEX [IX_Tenants_Slug] ON [Tenants] ([Slug]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_Students_TenantId_ExternalId] ON [Students];
    DECLARE @var1 nvarchar(max);
    SELECT @var1 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Students]') AND [c].[name] = N'ExternalId');
    IF @var1 IS NOT NULL EXEC(N'ALTER TABLE [Students] DROP CONSTRAINT ' + @var1 + ';');
    ALTER TABLE [Students] ALTER COLUMN [ExternalId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;
    EXEC(N'CREATE UNIQUE INDEX [IX_Students_TenantId_ExternalId] ON [Students] ([TenantId], [ExternalId]) WHERE [ExternalId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    ALTER TABLE [Students] ADD [PreferredFamilyName] nvarchar(100) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    ALTER TABLE [Students] ADD [PreferredGivenName] nvarchar(100) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    ALTER TABLE [Students] ADD [Pronouns] nvarchar(40) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    ALTER TABLE [ServiceTerms] DROP CONSTRAINT [PK_ServiceTerms];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DECLARE @var2 nvarchar(max);
    SELECT @var2 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[ServiceTerms]') AND [c].[name] = N'TermHsdsId');
    IF @var2 IS NOT NULL EXEC(N'ALTER TABLE [ServiceTerms] DROP CONSTRAINT ' + @var2 + ';');
    ALTER TABLE [ServiceTerms] ALTER COLUMN [TermHsdsId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    ALTER TABLE [ServiceTerms] ADD CONSTRAINT [PK_ServiceTerms] PRIMARY KEY ([ServiceId], [TermHsdsId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_Services_TenantId_HsdsId] ON [Services];
    DECLARE @var3 nvarchar(max);
    SELECT @var3 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Services]') AND [c].[name] = N'HsdsId');
    IF @var3 IS NOT NULL EXEC(N'ALTER TABLE [Services] DROP CONSTRAINT ' + @var3 + ';');
    ALTER TABLE [Services] ALTER COLUMN [HsdsId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;
    EXEC(N'CREATE UNIQUE INDEX [IX_Services_TenantId_HsdsId] ON [Services] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_ServiceLocations_TenantId_HsdsId] ON [ServiceLocations];
    DECLARE @var4 nvarchar(max);
    SELECT @var4 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[ServiceLocations]') AND [c].[name] = N'HsdsId');
    IF @var4 IS NOT NULL EXEC(N'ALTER TABLE [ServiceLocations] DROP CONSTRAINT ' + @var4 + ';');
    ALTER TABLE [ServiceLocations] ALTER COLUMN [HsdsId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;
    EXEC(N'CREATE UNIQUE INDEX [IX_ServiceLocations_TenantId_HsdsId] ON [ServiceLocations] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_Schools_TenantId_ExternalId] ON [Schools];
    DECLARE @var5 nvarchar(max);
    SELECT @var5 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Schools]') AND [c].[name] = N'ExternalId');
    IF @var5 IS NOT NULL EXEC(N'ALTER TABLE [Schools] DROP CONSTRAINT ' + @var5 + ';');
    ALTER TABLE [Schools] ALTER COLUMN [ExternalId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;
    EXEC(N'CREATE UNIQUE INDEX [IX_Schools_TenantId_ExternalId] ON [Schools] ([TenantId], [ExternalId]) WHERE [ExternalId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_ProviderOrganizations_TenantId_HsdsId] ON [ProviderOrganizations];
    DECLARE @var6 nvarchar(max);
    SELECT @var6 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[ProviderOrganizations]') AND [c].[name] = N'HsdsId');
    IF @var6 IS NOT NULL EXEC(N'ALTER TABLE [ProviderOrganizations] DROP CONSTRAINT ' + @var6 + ';');
    ALTER TABLE [ProviderOrganizations] ALTER COLUMN [HsdsId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;
    EXEC(N'CREATE UNIQUE INDEX [IX_ProviderOrganizations_TenantId_HsdsId] ON [ProviderOrganizations] ([TenantId], [HsdsId]) WHERE [HsdsId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    DROP INDEX [IX_Classes_TenantId_ExternalId] ON [Classes];
    DECLARE @var7 nvarchar(max);
    SELECT @var7 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Classes]') AND [c].[name] = N'ExternalId');
    IF @var7 IS NOT NULL EXEC(N'ALTER TABLE [Classes] DROP CONSTRAINT ' + @var7 + ';');
    ALTER TABLE [Classes] ALTER COLUMN [ExternalId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL;
    CREATE UNIQUE INDEX [IX_Classes_TenantId_ExternalId] ON [Classes] ([TenantId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185000_CaseInsensitiveKeysAndPreferredNames'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201185000_CaseInsensitiveKeysAndPreferredNames', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    DROP INDEX [IX_DigestsSent_TenantId_UserId_On] ON [DigestsSent];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    EXEC(N'UPDATE Referrals SET AnswerNote = Outcome WHERE AnswerNote IS NULL AND Outcome IS NOT NULL;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    EXEC(N'UPDATE Referrals SET Outcome = CASE
                    WHEN Status = ''Completed'' THEN ''GotHelp''
                    WHEN DeclineReason = ''NotEligible'' THEN ''NotEligible''
                    WHEN DeclineReason = ''NoCapacity'' THEN ''NoCapacity''
                    WHEN DeclineReason = ''Other'' THEN ''CouldNotGetHelp''
                    WHEN UnsuccessfulReason = ''CouldNotContact'' THEN ''CouldNotContact''
                    WHEN UnsuccessfulReason = ''NoLongerInterested'' THEN ''FamilyDeclined''
                    WHEN UnsuccessfulReason = ''Other'' THEN ''CouldNotGetHelp''
                    ELSE NULL END;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    DECLARE @var8 nvarchar(max);
    SELECT @var8 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Referrals]') AND [c].[name] = N'DeclineReason');
    IF @var8 IS NOT NULL EXEC(N'ALTER TABLE [Referrals] DROP CONSTRAINT ' + @var8 + ';');
    ALTER TABLE [Referrals] DROP COLUMN [DeclineReason];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    DECLARE @var9 nvarchar(max);
    SELECT @var9 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Referrals]') AND [c].[name] = N'UnsuccessfulReason');
    IF @var9 IS NOT NULL EXEC(N'ALTER TABLE [Referrals] DROP CONSTRAINT ' + @var9 + ';');
    ALTER TABLE [Referrals] DROP COLUMN [UnsuccessfulReason];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    EXEC sp_rename N'[Referrals].[AnswerNote]', N'OutcomeNote', 'COLUMN';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    ALTER TABLE [Services] ADD [HasWaitlist] bit NOT NULL DEFAULT CAST(0 AS bit);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    DECLARE @var10 nvarchar(max);
    SELECT @var10 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[Referrals]') AND [c].[name] = N'Outcome');
    IF @var10 IS NOT NULL EXEC(N'ALTER TABLE [Referrals] DROP CONSTRAINT ' + @var10 + ';');
    ALTER TABLE [Referrals] ALTER COLUMN [Outcome] nvarchar(32) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    ALTER TABLE [DigestsSent] ADD [Kind] nvarchar(32) NOT NULL DEFAULT N'Flags';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    ALTER TABLE [AspNetUsers] ADD [EmailReferralUpdates] bit NOT NULL DEFAULT CAST(1 AS bit);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE TABLE [CaseNotes] (
        [Id] int NOT NULL IDENTITY,
        [StudentId] int NOT NULL,
        [AuthorUserId] int NULL,
        [AuthorName] nvarchar(200) NOT NULL,
        [Text] nvarchar(4000) NOT NULL,
        [At] datetime2 NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_CaseNotes] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_CaseNotes_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_CaseNotes_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE TABLE [ReferralMessages] (
        [Id] int NOT NULL IDENTITY,
        [ReferralId] int NOT NULL,
        [Side] nvarchar(32) NOT NULL,
        [AuthorUserId] int NULL,
        [AuthorName] nvarchar(200) NOT NULL,
        [Text] nvarchar(4000) NOT NULL,
        [At] datetime2 NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ReferralMessages] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ReferralMessages_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ReferralMessages_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE TABLE [ReferralUpdates] (
        [Id] int NOT NULL IDENTITY,
        [UserId] int NOT NULL,
        [ReferralId] int NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Text] nvarchar(500) NOT NULL,
        [At] datetime2 NOT NULL,
        [ReadAt] datetime2 NULL,
        [EmailedAt] datetime2 NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ReferralUpdates] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ReferralUpdates_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ReferralUpdates_Referrals_ReferralId] FOREIGN KEY ([ReferralId]) REFERENCES [Referrals] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ReferralUpdates_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_Referrals_TenantId_SentByUserId_Status] ON [Referrals] ([TenantId], [SentByUserId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE UNIQUE INDEX [IX_DigestsSent_TenantId_UserId_On_Kind] ON [DigestsSent] ([TenantId], [UserId], [On], [Kind]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_CaseNotes_StudentId] ON [CaseNotes] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_CaseNotes_TenantId_StudentId_At] ON [CaseNotes] ([TenantId], [StudentId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralMessages_ReferralId] ON [ReferralMessages] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralMessages_TenantId_ReferralId_At] ON [ReferralMessages] ([TenantId], [ReferralId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralUpdates_ReferralId] ON [ReferralUpdates] ([ReferralId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralUpdates_TenantId_EmailedAt_UserId] ON [ReferralUpdates] ([TenantId], [EmailedAt], [UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralUpdates_TenantId_UserId_ReadAt_At] ON [ReferralUpdates] ([TenantId], [UserId], [ReadAt], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    CREATE INDEX [IX_ReferralUpdates_UserId] ON [ReferralUpdates] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185338_CloseTheLoop'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201185338_CloseTheLoop', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    ALTER TABLE [Services] ADD [CapacityMaximum] int NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    ALTER TABLE [Services] ADD [CapacityUnit] nvarchar(100) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    ALTER TABLE [Services] ADD [CapacityUpdatedAt] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    ALTER TABLE [ServiceLocations] ADD [Address2] nvarchar(200) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    ALTER TABLE [ServiceLocations] ADD [Country] nvarchar(2) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    CREATE TABLE [DirectoryUploads] (
        [Id] int NOT NULL IDENTITY,
        [UploadedAt] datetime2 NOT NULL,
        [UploadedByName] nvarchar(200) NOT NULL,
        [FileNames] nvarchar(1000) NOT NULL,
        [Package] varbinary(max) NULL,
        [AppliedAt] datetime2 NULL,
        [Result] nvarchar(1000) NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_DirectoryUploads] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_DirectoryUploads_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    CREATE INDEX [IX_DirectoryUploads_TenantId_UploadedAt] ON [DirectoryUploads] ([TenantId], [UploadedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201185732_HsdsImportPreviewAndCapacity'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201185732_HsdsImportPreviewAndCapacity', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214013_TenantRequireTwoFactor'
)
BEGIN
    ALTER TABLE [Tenants] ADD [RequireTwoFactor] bit NOT NULL DEFAULT CAST(0 AS bit);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214013_TenantRequireTwoFactor'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201214013_TenantRequireTwoFactor', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214253_Retention'
)
BEGIN
    ALTER TABLE [Tenants] ADD [AbandonedUploadRetentionDays] int NOT NULL DEFAULT 7;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214253_Retention'
)
BEGIN
    CREATE TABLE [ErasureRecords] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [SubjectId] int NOT NULL,
        [At] datetime2 NOT NULL,
        [ByUserId] int NULL,
        [ByEmail] nvarchar(256) NOT NULL,
        CONSTRAINT [PK_ErasureRecords] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214253_Retention'
)
BEGIN
    CREATE INDEX [IX_ErasureRecords_TenantId_At] ON [ErasureRecords] ([TenantId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214253_Retention'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201214253_Retention', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    CREATE TABLE [AccessLogEntries] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [At] datetime2 NOT NULL,
        [UserId] int NULL,
        [ActorName] nvarchar(200) NOT NULL,
        [Role] nvarchar(32) NOT NULL,
        [OrganizationId] int NULL,
        [Action] nvarchar(32) NOT NULL,
        [StudentId] int NULL,
        [PlanId] int NULL,
        [ReferralId] int NULL,
        [Path] nvarchar(400) NULL,
        [IpAddress] nvarchar(45) NULL,
        CONSTRAINT [PK_AccessLogEntries] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AccessLogEntries_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    CREATE INDEX [IX_AccessLogEntries_TenantId_At] ON [AccessLogEntries] ([TenantId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    CREATE INDEX [IX_AccessLogEntries_TenantId_StudentId_At] ON [AccessLogEntries] ([TenantId], [StudentId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    CREATE INDEX [IX_AccessLogEntries_TenantId_UserId_At] ON [AccessLogEntries] ([TenantId], [UserId], [At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    EXEC(N'CREATE TRIGGER [TR_AccessLogEntries_NoUpdate] ON [AccessLogEntries] INSTEAD OF UPDATE
    AS
    BEGIN
        SET NOCOUNT ON;
        THROW 51000, ''The access log is append-only: an entry cannot be changed.'', 1;
    END');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201214640_AccessLog'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201214640_AccessLog', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    ALTER TABLE [Tenants] ADD [AttendanceAtRiskPercent] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    ALTER TABLE [Tenants] ADD [AttendanceChronicPercent] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    ALTER TABLE [Tenants] ADD [AttendanceSatisfactoryPercent] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    ALTER TABLE [RosterUploads] ADD [Kind] nvarchar(32) NOT NULL DEFAULT N'';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE TABLE [AttendanceEvents] (
        [Id] int NOT NULL IDENTITY,
        [SchoolId] int NOT NULL,
        [Category] nvarchar(32) NOT NULL,
        [TenantId] int NOT NULL,
        [SourceId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL,
        [StudentId] int NOT NULL,
        [Date] date NOT NULL,
        CONSTRAINT [PK_AttendanceEvents] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AttendanceEvents_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_AttendanceEvents_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_AttendanceEvents_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE TABLE [BehaviorIncidents] (
        [Id] int NOT NULL IDENTITY,
        [SchoolId] int NOT NULL,
        [Behavior] nvarchar(100) NULL,
        [Severity] nvarchar(32) NOT NULL,
        [TenantId] int NOT NULL,
        [SourceId] nvarchar(200) COLLATE Latin1_General_100_CI_AS NOT NULL,
        [StudentId] int NOT NULL,
        [Date] date NOT NULL,
        CONSTRAINT [PK_BehaviorIncidents] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_BehaviorIncidents_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_BehaviorIncidents_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_BehaviorIncidents_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE TABLE [CourseMarks] (
        [Id] int NOT NULL IDENTITY,
        [Course] nvarchar(200) NOT NULL,
        [Term] nvarchar(100) NOT NULL,
        [Mark] nvarchar(32) NOT NULL,
        [Passing] bit NOT NULL,
        [TenantId] int NOT NULL,
        [SourceId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL,
        [StudentId] int NOT NULL,
        [Date] date NOT NULL,
        CONSTRAINT [PK_CourseMarks] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_CourseMarks_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_CourseMarks_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE TABLE [SchoolDays] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [SchoolId] int NOT NULL,
        [Date] date NOT NULL,
        CONSTRAINT [PK_SchoolDays] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_SchoolDays_Schools_SchoolId] FOREIGN KEY ([SchoolId]) REFERENCES [Schools] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_SchoolDays_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE TABLE [StudentIndicators] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [StudentId] int NOT NULL,
        [AsOf] date NOT NULL,
        [YearDays] int NOT NULL,
        [YearAbsences] int NOT NULL,
        [YearAttendance] int NULL,
        [YearBand] nvarchar(32) NULL,
        [YearIncidents] int NOT NULL,
        [YearFailures] int NOT NULL,
        [TermDays] int NOT NULL,
        [TermAbsences] int NOT NULL,
        [TermAttendance] int NULL,
        [TermBand] nvarchar(32) NULL,
        [TermIncidents] int NOT NULL,
        [TermFailures] int NOT NULL,
        [RecentDays] int NOT NULL,
        [RecentAbsences] int NOT NULL,
        [RecentAttendance] int NULL,
        [RecentBand] nvarchar(32) NULL,
        [RecentIncidents] int NOT NULL,
        [RecentFailures] int NOT NULL,
        CONSTRAINT [PK_StudentIndicators] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_StudentIndicators_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_StudentIndicators_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_AttendanceEvents_SchoolId] ON [AttendanceEvents] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_AttendanceEvents_StudentId] ON [AttendanceEvents] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE UNIQUE INDEX [IX_AttendanceEvents_TenantId_SourceId] ON [AttendanceEvents] ([TenantId], [SourceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_AttendanceEvents_TenantId_StudentId_Date] ON [AttendanceEvents] ([TenantId], [StudentId], [Date]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_BehaviorIncidents_SchoolId] ON [BehaviorIncidents] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_BehaviorIncidents_StudentId] ON [BehaviorIncidents] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE UNIQUE INDEX [IX_BehaviorIncidents_TenantId_SourceId] ON [BehaviorIncidents] ([TenantId], [SourceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_BehaviorIncidents_TenantId_StudentId_Date] ON [BehaviorIncidents] ([TenantId], [StudentId], [Date]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_CourseMarks_StudentId] ON [CourseMarks] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE UNIQUE INDEX [IX_CourseMarks_TenantId_SourceId] ON [CourseMarks] ([TenantId], [SourceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_CourseMarks_TenantId_StudentId_Date] ON [CourseMarks] ([TenantId], [StudentId], [Date]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_SchoolDays_SchoolId] ON [SchoolDays] ([SchoolId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE UNIQUE INDEX [IX_SchoolDays_TenantId_SchoolId_Date] ON [SchoolDays] ([TenantId], [SchoolId], [Date]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_StudentIndicators_StudentId] ON [StudentIndicators] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE UNIQUE INDEX [IX_StudentIndicators_TenantId_StudentId] ON [StudentIndicators] ([TenantId], [StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    CREATE INDEX [IX_StudentIndicators_TenantId_YearBand] ON [StudentIndicators] ([TenantId], [YearBand]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202005619_Indicators'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202005619_Indicators', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041008_PerformanceRollups'
)
BEGIN
    CREATE TABLE [ServedMonths] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Dimension] int NOT NULL,
        [ValueId] int NOT NULL,
        [MonthNumber] int NOT NULL,
        [PreviousMonthNumber] int NOT NULL,
        [Children] int NOT NULL,
        [Services] int NOT NULL,
        CONSTRAINT [PK_ServedMonths] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ServedMonths_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041008_PerformanceRollups'
)
BEGIN
    CREATE INDEX [IX_ServedMonths_Dashboard] ON [ServedMonths] ([TenantId], [MonthNumber], [Dimension], [ValueId], [PreviousMonthNumber], [Children], [Services]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041008_PerformanceRollups'
)
BEGIN
    INSERT INTO ServedMonths (TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber, Children, Services)
    SELECT TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber, COUNT(*), SUM(Services)
    FROM (
      SELECT TenantId, Dimension, ValueId, MonthNumber, Services,
        COALESCE(LAG(MonthNumber) OVER (PARTITION BY TenantId, StudentId, Dimension, ValueId ORDER BY MonthNumber), 0) AS PreviousMonthNumber
      FROM (
        SELECT TenantId, StudentId, Dimension, ValueId, MonthNumber, SUM(Services) AS Services
        FROM (
          SELECT y.TenantId, y.StudentId, v.Dimension,
            CASE v.Dimension WHEN 0 THEN 0 WHEN 1 THEN y.Domain WHEN 2 THEN y.SchoolId WHEN 3 THEN y.OrganizationId ELSE COALESCE(y.Tier, -1) END AS ValueId,
            y.SchoolYear * 12 + m.M AS MonthNumber,
            CASE m.M WHEN 7 THEN y.Aug WHEN 8 THEN y.Sep WHEN 9 THEN y.Oct WHEN 10 THEN y.Nov WHEN 11 THEN y.Dec WHEN 12 THEN y.Jan WHEN 13 THEN y.Feb WHEN 14 THEN y.Mar WHEN 15 THEN y.Apr WHEN 16 THEN y.May WHEN 17 THEN y.Jun WHEN 18 THEN y.Jul END AS Services
          FROM DeliveryYears y
          CROSS JOIN (SELECT 0 AS Dimension UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) v
          CROSS JOIN (SELECT 7 AS M UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 17 UNION ALL SELECT 18) m
        ) u
        GROUP BY TenantId, StudentId, Dimension, ValueId, MonthNumber
        HAVING SUM(Services) > 0
      ) s
    ) p
    GROUP BY TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041008_PerformanceRollups'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202041008_PerformanceRollups', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [Referrals] ADD [GoalServed] nvarchar(1000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [Baseline] decimal(9,2) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [BaselineOn] date NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [Measure] nvarchar(32) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [MeasureLabel] nvarchar(100) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [Target] decimal(9,2) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [TargetOn] date NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    CREATE TABLE [GoalPoints] (
        [Id] int NOT NULL IDENTITY,
        [NeedId] int NOT NULL,
        [On] date NOT NULL,
        [Value] decimal(9,2) NOT NULL,
        [RecordedAt] datetime2 NOT NULL,
        [RecordedBy] nvarchar(200) NOT NULL,
        [TenantId] int NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_GoalPoints] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_GoalPoints_PlanItems_NeedId] FOREIGN KEY ([NeedId]) REFERENCES [PlanItems] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_GoalPoints_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    CREATE INDEX [IX_GoalPoints_NeedId] ON [GoalPoints] ([NeedId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    CREATE INDEX [IX_GoalPoints_TenantId_NeedId_On] ON [GoalPoints] ([TenantId], [NeedId], [On]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202041053_MeasurableGoals'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202041053_MeasurableGoals', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202043612_UserLanguage'
)
BEGIN
    ALTER TABLE [AspNetUsers] ADD [Language] nvarchar(10) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202043612_UserLanguage'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202043612_UserLanguage', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    DROP INDEX [IX_Students_TenantId_FamilyName_GivenName] ON [Students];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    DROP INDEX [IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName] ON [Students];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    DROP INDEX [IX_PlanItems_TenantId_PlanId_Domain] ON [PlanItems];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    CREATE INDEX [IX_Students_TenantId_FamilyName_GivenName_SchoolId_Status] ON [Students] ([TenantId], [FamilyName], [GivenName], [SchoolId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    CREATE INDEX [IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName_Status] ON [Students] ([TenantId], [SchoolId], [Grade], [FamilyName], [GivenName], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    CREATE INDEX [IX_PlanItems_TenantId_PlanId_Kind_Status_Domain] ON [PlanItems] ([TenantId], [PlanId], [Kind], [Status], [Domain]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202072750_CaseloadIndexes'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202072750_CaseloadIndexes', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202073425_CabinetReferralRollup'
)
BEGIN
    CREATE TABLE [FunnelMonths] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Measure] int NOT NULL,
        [MonthNumber] int NOT NULL,
        [Days] int NOT NULL,
        [Count] int NOT NULL,
        CONSTRAINT [PK_FunnelMonths] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_FunnelMonths_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202073425_CabinetReferralRollup'
)
BEGIN
    CREATE INDEX [IX_FunnelMonths_Dashboard] ON [FunnelMonths] ([TenantId], [MonthNumber], [Measure], [Days], [Count]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202073425_CabinetReferralRollup'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202073425_CabinetReferralRollup', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202171540_NightlyIncremental'
)
BEGIN
    ALTER TABLE [PlanItems] ADD [ReferralState] nvarchar(32) NOT NULL DEFAULT N'None';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202171540_NightlyIncremental'
)
BEGIN
    CREATE INDEX [IX_PlanItems_TenantId_Kind_Status_ReferralState_IdentifiedOn_PlanId] ON [PlanItems] ([TenantId], [Kind], [Status], [ReferralState], [IdentifiedOn], [PlanId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202171540_NightlyIncremental'
)
BEGIN
    EXEC(N'UPDATE i SET [ReferralState] = CASE
      WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
        AND (r.[Status] IN (N''Sent'', N''Accepted'', N''InService'') OR (r.[Status] = N''Completed'' AND r.[Outcome] = N''GotHelp''))) THEN N''UnderWay''
      WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
        AND r.[Status] IN (N''Declined'', N''Expired'', N''ClosedUnsuccessful'')) THEN N''EndedWithoutHelp''
      ELSE N''None'' END
    FROM [PlanItems] AS i
    WHERE i.[Kind] = N''Need'';');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202171540_NightlyIncremental'
)
BEGIN
    EXEC(N'CREATE TRIGGER [TR_Referrals_NeedState] ON [Referrals] AFTER INSERT, UPDATE, DELETE AS
    BEGIN
      SET NOCOUNT ON;
      IF EXISTS (SELECT 1 FROM inserted) AND NOT (UPDATE([Status]) OR UPDATE([Outcome]) OR UPDATE([NeedId])) RETURN;
      UPDATE i SET [ReferralState] = CASE
        WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
          AND (r.[Status] IN (N''Sent'', N''Accepted'', N''InService'') OR (r.[Status] = N''Completed'' AND r.[Outcome] = N''GotHelp''))) THEN N''UnderWay''
        WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
          AND r.[Status] IN (N''Declined'', N''Expired'', N''ClosedUnsuccessful'')) THEN N''EndedWithoutHelp''
        ELSE N''None'' END
      FROM [PlanItems] AS i
      WHERE i.[Id] IN (SELECT [NeedId] FROM inserted UNION SELECT [NeedId] FROM deleted);
    END;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202171540_NightlyIncremental'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202171540_NightlyIncremental', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203071816_CabinetOutcomesVersion'
)
BEGIN
    ALTER TABLE [Tenants] ADD [OutcomesVersion] bigint NOT NULL DEFAULT CAST(0 AS bigint);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203071816_CabinetOutcomesVersion'
)
BEGIN
    EXEC(N'CREATE TRIGGER [TR_AttendanceEvents_CabinetOutcomes] ON [AttendanceEvents] AFTER INSERT, UPDATE, DELETE AS
    BEGIN
      SET NOCOUNT ON;
      UPDATE [Tenants] SET [OutcomesVersion] = [OutcomesVersion] + 1
      WHERE [Id] IN (SELECT [TenantId] FROM inserted UNION SELECT [TenantId] FROM deleted);
    END;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203071816_CabinetOutcomesVersion'
)
BEGIN
    EXEC(N'CREATE TRIGGER [TR_SchoolDays_CabinetOutcomes] ON [SchoolDays] AFTER INSERT, UPDATE, DELETE AS
    BEGIN
      SET NOCOUNT ON;
      UPDATE [Tenants] SET [OutcomesVersion] = [OutcomesVersion] + 1
      WHERE [Id] IN (SELECT [TenantId] FROM inserted UNION SELECT [TenantId] FROM deleted);
    END;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203071816_CabinetOutcomesVersion'
)
BEGIN
    EXEC(N'CREATE TRIGGER [TR_Students_CabinetOutcomes] ON [Students] AFTER UPDATE, DELETE AS
    BEGIN
      SET NOCOUNT ON;
      IF EXISTS (SELECT 1 FROM inserted) AND NOT UPDATE([SchoolId]) RETURN;
      UPDATE [Tenants] SET [OutcomesVersion] = [OutcomesVersion] + 1
      WHERE [Id] IN (SELECT d.[TenantId] FROM deleted AS d LEFT JOIN inserted AS i ON i.[Id] = d.[Id]
                     WHERE i.[Id] IS NULL OR i.[SchoolId] <> d.[SchoolId]);
    END;');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203071816_CabinetOutcomesVersion'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203071816_CabinetOutcomesVersion', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204025855_PageRowsById'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Students_TenantId_Id] ON [Students] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204025855_PageRowsById'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Referrals_TenantId_Id] ON [Referrals] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204025855_PageRowsById'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Flags_TenantId_Id] ON [Flags] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204025855_PageRowsById'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204025855_PageRowsById', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204063436_NoReferralsBySender'
)
BEGIN
    DROP INDEX [IX_Referrals_TenantId_SentByUserId_Status] ON [Referrals];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204063436_NoReferralsBySender'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204063436_NoReferralsBySender', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204084957_MonthsServed'
)
BEGIN
    DROP INDEX [IX_DeliveryYears_Dashboard] ON [DeliveryYears];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204084957_MonthsServed'
)
BEGIN
    ALTER TABLE [DeliveryYears] ADD [MonthsServed] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204084957_MonthsServed'
)
BEGIN
    EXEC(N'UPDATE [DeliveryYears] SET [MonthsServed] = IIF([Aug] > 0, 1, 0) | IIF([Sep] > 0, 2, 0) | IIF([Oct] > 0, 4, 0) | IIF([Nov] > 0, 8, 0) | IIF([Dec] > 0, 16, 0) | IIF([Jan] > 0, 32, 0) | IIF([Feb] > 0, 64, 0) | IIF([Mar] > 0, 128, 0) | IIF([Apr] > 0, 256, 0) | IIF([May] > 0, 512, 0) | IIF([Jun] > 0, 1024, 0) | IIF([Jul] > 0, 2048, 0)');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204084957_MonthsServed'
)
BEGIN
    CREATE INDEX [IX_DeliveryYears_Dashboard] ON [DeliveryYears] ([TenantId], [SchoolYear], [StudentId], [Domain], [SchoolId], [OrganizationId], [Tier], [Aug], [Sep], [Oct], [Nov], [Dec], [Jan], [Feb], [Mar], [Apr], [May], [Jun], [Jul], [MonthsServed]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204084957_MonthsServed'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204084957_MonthsServed', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205073338_ServedChanges'
)
BEGIN
    CREATE TABLE [ServedChanges] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [StudentId] int NOT NULL,
        [At] datetime2 NOT NULL,
        CONSTRAINT [PK_ServedChanges] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ServedChanges_Students_StudentId] FOREIGN KEY ([StudentId]) REFERENCES [Students] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_ServedChanges_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205073338_ServedChanges'
)
BEGIN
    CREATE INDEX [IX_DeliveryYears_Child] ON [DeliveryYears] ([TenantId], [StudentId], [SchoolYear], [SchoolId], [Domain], [Tier], [MonthsServed]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205073338_ServedChanges'
)
BEGIN
    CREATE INDEX [IX_ServedChanges_StudentId] ON [ServedChanges] ([StudentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205073338_ServedChanges'
)
BEGIN
    CREATE INDEX [IX_ServedChanges_TenantId_Id] ON [ServedChanges] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205073338_ServedChanges'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261205073338_ServedChanges', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205203556_GradeAndOpenFlagsIndexes'
)
BEGIN
    DROP INDEX [IX_Flags_TenantId_StudentId_ResolvedAt] ON [Flags];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205203556_GradeAndOpenFlagsIndexes'
)
BEGIN
    CREATE INDEX [IX_Students_TenantId_Grade_FamilyName_GivenName_SchoolId_Status] ON [Students] ([TenantId], [Grade], [FamilyName], [GivenName], [SchoolId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205203556_GradeAndOpenFlagsIndexes'
)
BEGIN
    CREATE INDEX [IX_Flags_TenantId_StudentId_ResolvedAt_DismissedAt] ON [Flags] ([TenantId], [StudentId], [ResolvedAt], [DismissedAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261205203556_GradeAndOpenFlagsIndexes'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261205203556_GradeAndOpenFlagsIndexes', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207110658_DataVersions'
)
BEGIN
    CREATE TABLE [DataVersions] (
        [TenantId] int NOT NULL,
        [Version] bigint NOT NULL,
        CONSTRAINT [PK_DataVersions] PRIMARY KEY ([TenantId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207110658_DataVersions'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261207110658_DataVersions', N'10.0.14');
END;

COMMIT;
GO

