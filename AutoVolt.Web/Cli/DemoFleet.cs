namespace AutoVolt.Web.Cli;

/// <summary><c>--demo</c>: a simulated fleet publishing through the embedded broker (wired once the simulator exists).</summary>
public static class DemoFleet
{
    public static WebApplicationBuilder AddDemoFleet(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return builder;
    }
}
