using AutoVolt.Infrastructure;
using AutoVolt.Web;
using AutoVolt.Web.Cli;

if (CliVerbs.IsVerb(args))
{
    return await CliVerbs.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(CliVerbs.WithoutAppFlags(args));
using var startupLogging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
builder.AddAutoVoltInfrastructure(startupLogging);
builder.AddAutoVoltWeb();
builder.AddDemoFleet(args);

var app = builder.Build();
app.UseAutoVoltWeb();
await app.RunAsync();
return 0;
