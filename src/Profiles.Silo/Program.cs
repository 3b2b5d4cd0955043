using Microsoft.Extensions.Options;
using Profiles.Core.Identifiers;
using Profiles.Core.Rules;
using Profiles.Core.Segment;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.History;
using Profiles.Grains.Retention;
using Profiles.Grains.Standing;
using Profiles.Silo.Configuration;
using Profiles.Silo.Http;
using Profiles.Silo.Http.Segment;
using Profiles.Silo.Operations;

// The content root is the build's own folder, not the working directory: a node started by a systemd unit, a
// script or a container from any other folder still reads the appsettings.json shipped beside it, and with it
// the identity rules that protect against over-merging. Every other source (environment, command line) still
// overrides it.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
LoggingDefaults.Apply(builder);
var options = builder.Configuration.GetSection(ProfilesOptions.Section).Get<ProfilesOptions>() ?? new ProfilesOptions();
builder.Services.Configure<ProfilesOptions>(builder.Configuration.GetSection(ProfilesOptions.Section));
builder.Services.Configure<ChangeFeedOptions>(builder.Configuration.GetSection(ChangeFeedOptions.Section));
builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
builder.Services.Configure<HistoryOptions>(builder.Configuration.GetSection(HistoryOptions.Section));
var history = builder.Configuration.GetSection(HistoryOptions.Section).Get<HistoryOptions>() ?? new HistoryOptions();
builder.Services.Configure<AudienceRecheckOptions>(builder.Configuration.GetSection(AudienceRecheckOptions.Section));
builder.Services.Configure<StatsOptions>(builder.Configuration.GetSection(StatsOptions.Section));

builder.UseOrleans(silo => SiloSetup.Configure(silo, options, history));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);

builder.Services.AddProblemDetails(Problems.Configure);
builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
builder.Services.AddProfilesHealthChecks();
builder.Services.AddHostedService<StorageIsolationGuard>();
builder.Services.AddSingleton(new IdentifierNormalizer(options.DefaultRegion));
builder.Services.AddSingleton(new IdentifierHasher(HashKey.Bytes(options)));
builder.Services.AddSingleton<IdentifierReader>();
builder.Services.AddSingleton(services => IdentityRulesConfiguration.Read(builder.Configuration, services.GetRequiredService<IdentifierReader>()));
builder.Services.AddSingleton<TouchpointParser>();
var personalisation = PersonalisationConfiguration.Read(builder.Configuration);
builder.Services.AddSingleton(personalisation);
builder.Services.AddSingleton(new SegmentEventMapper(SegmentConfiguration.Read(builder.Configuration, personalisation.Consent)));
builder.Services.AddSingleton<SegmentIntake>();
builder.Services.AddSingleton(new IngestGate(options.ConcurrentIngestRequests, options.IngestQueueLimit));
builder.AddProfilesOperations();

var app = builder.Build();
StartupNotes.Log(app.Logger, options, app.Services.GetRequiredService<IdentityRules>(), app.Services.GetRequiredService<IOptions<RetentionOptions>>().Value);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseProfilesOperations();
app.MapProfilesHealthChecks();
app.MapProfilesApi();

app.Run();

/// <summary>The entry point, visible to the HTTP tests' WebApplicationFactory.</summary>
public partial class Program;
