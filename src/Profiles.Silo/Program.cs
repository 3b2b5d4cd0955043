using Microsoft.Extensions.Options;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;
using Profiles.Silo.Configuration;
using Profiles.Silo.Http;
using Profiles.Silo.Operations;

var builder = WebApplication.CreateBuilder(args);
LoggingDefaults.Apply(builder);
var options = builder.Configuration.GetSection(ProfilesOptions.Section).Get<ProfilesOptions>() ?? new ProfilesOptions();
builder.Services.Configure<ProfilesOptions>(builder.Configuration.GetSection(ProfilesOptions.Section));

builder.UseOrleans(silo => SiloSetup.Configure(silo, options));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
builder.Services.AddProfilesHealthChecks();
builder.Services.AddSingleton(new IdentifierNormalizer(options.DefaultRegion));
builder.Services.AddSingleton(new IdentifierHasher(HashKey.Bytes(options)));
builder.Services.AddSingleton<IdentifierReader>();
builder.Services.AddSingleton(services => IdentityRulesConfiguration.Read(builder.Configuration, services.GetRequiredService<IdentifierReader>()));
builder.Services.AddSingleton<TouchpointParser>();
builder.Services.AddSingleton(PersonalisationConfiguration.Read(builder.Configuration));
builder.Services.AddSingleton(new IngestGate(options.ConcurrentIngestRequests));
builder.AddProfilesOperations();

var app = builder.Build();
StartupNotes.Log(app.Logger, options);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseProfilesOperations();
app.MapProfilesHealthChecks();
app.MapTouchpointEndpoints();
app.MapLiveEndpoints();
app.MapProfileEndpoints();

app.Run();

/// <summary>The entry point, visible to the HTTP tests' WebApplicationFactory.</summary>
public partial class Program;
