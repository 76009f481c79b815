using System.Net;
using System.Net.Sockets;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

public sealed class EmbeddedBrokerPortTests
{
    [Fact]
    public async Task Start_PortAlreadyInUse_ClearMessageNamingTheSetting()
    {
        var port = TestPorts.Free();
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        await using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { ListenPort = port }), NullLogger<EmbeddedBroker>.Instance);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => broker.StartAsync(CancellationToken.None));
        Assert.Contains("already in use", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Mqtt:ListenPort", ex.Message, StringComparison.Ordinal);
    }
}
