using AutoVolt.Infrastructure.Configuration;
using YamlDotNet.RepresentationModel;

namespace AutoVolt.Web.Tests.Web;

/// <summary>No Docker engine here: the compose file is checked against the app's configuration instead.</summary>
public sealed class ComposeFileTests
{
    private static YamlMappingNode Services()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Support", "docker-compose.yml");
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return (YamlMappingNode)root["services"];
    }

    [Fact]
    public void Compose_HasTimescaleBrokerAndTwoReplicas()
    {
        var services = Services();
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Contains("db", names);
        Assert.Contains("mqtt", names);
        Assert.Contains("app1", names);
        Assert.Contains("app2", names);
        Assert.StartsWith("timescale/timescaledb", ((YamlScalarNode)((YamlMappingNode)services["db"])["image"]).Value, StringComparison.Ordinal);
        Assert.StartsWith("eclipse-mosquitto", ((YamlScalarNode)((YamlMappingNode)services["mqtt"])["image"]).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_AppEnvironment_NamesRealConfigurationKeys()
    {
        var app = (YamlMappingNode)Services()["app1"];
        var env = (YamlMappingNode)app["environment"];
        var keys = env.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            "ConnectionStrings__AutoVolt", "ASPNETCORE_URLS",
        };
        foreach (var (section, type) in new[] { (SiteOptions.Section, typeof(SiteOptions)), (LedgerOptions.Section, typeof(LedgerOptions)), (MqttOptions.Section, typeof(MqttOptions)), (AuthOptions.Section, typeof(AuthOptions)), (EmbeddedOptions.Section, typeof(EmbeddedOptions)) })
        {
            foreach (var p in type.GetProperties().Where(p => p.CanWrite))
            {
                known.Add($"{section}__{p.Name}");
            }
        }
        Assert.All(keys, k => Assert.Contains(k, known));
        Assert.Contains("ConnectionStrings__AutoVolt", keys);
        Assert.Contains("Mqtt__Broker", keys);
        Assert.Contains("Mqtt__SharedGroup", keys);
        var ports = (YamlSequenceNode)app["ports"];
        Assert.EndsWith(":8080", ((YamlScalarNode)ports.Children[0]).Value, StringComparison.Ordinal);
        Assert.Contains("8080", ((YamlScalarNode)env["ASPNETCORE_URLS"]).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void MosquittoConfig_RaisesQueueLimitAndRequiresCredentials()
    {
        var conf = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Support", "mosquitto.conf"));
        Assert.Contains("allow_anonymous false", conf, StringComparison.Ordinal);
        Assert.Contains("max_queued_messages 100000", conf, StringComparison.Ordinal);
        Assert.Contains("persistence true", conf, StringComparison.Ordinal);
        Assert.Contains("acl_file", conf, StringComparison.Ordinal);
    }
}
