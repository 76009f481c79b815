using AutoVolt.Domain;

namespace AutoVolt.Web.Tests.Domain;

public sealed class ArchitectureTests
{
    [Fact]
    public void Domain_References_OnlySystemAndNodaTime()
    {
        var referenced = typeof(SiteDefaults).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var offending = referenced.Where(n => !(n == "NodaTime" || n == "System" || n.StartsWith("System.", StringComparison.Ordinal) || n == "netstandard" || n == "mscorlib")).ToList();
        Assert.Empty(offending);
    }
}
