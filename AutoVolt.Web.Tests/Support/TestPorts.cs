using System.Net;
using System.Net.Sockets;

namespace AutoVolt.Web.Tests.Support;

public static class TestPorts
{
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
